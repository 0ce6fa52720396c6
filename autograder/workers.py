"""Warm worker processes: each imports torch once and keeps one staged sandbox; one task = one submission.

Workers only read files and compute; the main process alone writes the gradebook and the results.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

from .checks import CHECKS
from .judging import grade_cells
from .notebook_io import UnreadableNotebook, autograded_notebook, code_cells, read_submission
from .sandbox import Limits, Sandbox

_SANDBOX: Sandbox | None = None


def _start(limits: Limits) -> None:
    global _SANDBOX
    import torch  # noqa: F401 - paid once per worker, not once per submission

    _SANDBOX = Sandbox(limits)


def grade_submission(task: dict) -> dict:
    """Grade one notebook; returns scores per test cell and the autograded notebook as JSON text."""
    assignment, seed = task["assignment"], task["seed"]
    source = nbformat.read(task["source"], as_version=4)
    notes, feedback, scores = [], {}, {}
    try:
        submission = read_submission(Path(task["notebook"]))
    except UnreadableNotebook as exc:
        submission = None
        notes.append(f"This notebook could not be graded: {exc}.")
    if submission is not None:
        results, run = grade_cells(_SANDBOX, assignment, code_cells(submission), seed)
        for index, error in sorted(run.cell_errors.items()):
            notes.append(f"Code cell {index + 1} of your notebook raised {error}")
        notes.extend(run.notes)
        for result in results:
            grade_id = "test_" + result.name
            scores[grade_id] = result.points
            feedback[grade_id] = (result.points >= result.max_points, result.feedback)
    else:
        for name, check in CHECKS[assignment].items():
            scores["test_" + name] = 0
            feedback["test_" + name] = (False, f"0/{check.points} points: not graded (the notebook"
                                        " could not be read).")
    nb = autograded_notebook(submission, source, feedback, notes)
    return {"student": task["student"], "assignment": assignment, "scores": scores,
            "notebook": nbformat.writes(nb), "hash": task["hash"],
            "isolated": _SANDBOX.isolated}


def pool(workers: int, limits: Limits) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start,
                               initargs=(limits,))
