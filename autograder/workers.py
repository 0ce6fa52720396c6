"""Warm worker processes: each imports torch once and keeps one staged sandbox; one task = one submission.

Workers only read files and compute; the main process alone writes the gradebook and the results.
"""
from __future__ import annotations

import functools
import multiprocessing
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbformat.validator import MissingIDFieldWarning

from .checks import CHECKS
from .judging import grade_cells
from .notebook_io import (UnreadableNotebook, autograded_notebook, code_cells, integrity_notes,
                          read_submission)
from .sandbox import Limits, Sandbox

_SANDBOX: Sandbox | None = None


def _start(limits: Limits) -> None:
    global _SANDBOX
    import torch  # already there when the fork server preloaded it

    # One worker per core: a judge that spread its small tensors over every core would only make
    # the workers beside it wait.
    torch.set_num_threads(1)
    # Notebooks saved before nbformat 4.5 have no cell ids; nbformat warns once per notebook read,
    # which would only bury the progress bar (grading does not use cell ids).
    warnings.filterwarnings("ignore", category=MissingIDFieldWarning)
    _SANDBOX = Sandbox(limits)


@functools.lru_cache(maxsize=8)
def _source(path: str, mtime_ns: int):
    """The instructor's notebook, read once per worker (the mtime makes an edited one read again)."""
    return nbformat.read(path, as_version=4)


def grade_submission(task: dict) -> dict:
    """Grade one notebook; returns scores per test cell and the autograded notebook as JSON text."""
    assignment, seed = task["assignment"], task["seed"]
    source = _source(task["source"], Path(task["source"]).stat().st_mtime_ns)
    notes, feedback, scores = [], {}, {}
    try:
        submission = read_submission(Path(task["notebook"]))
    except UnreadableNotebook as exc:
        submission = None
        notes.append(f"This notebook could not be graded: {exc}.")
    if submission is not None:
        notes.extend(integrity_notes(submission, source))
        results, run = grade_cells(_SANDBOX, assignment, code_cells(submission, source), seed)
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


# What the fork server imports before it forks the workers: torch once for all of them, and the
# CLI (whose task function the workers unpickle) without re-running the main script, which is what
# the fork server would otherwise do first.
PRELOAD = ["torch", "nbformat", "autograder.cli", "autograder.workers"]


def pool(workers: int, limits: Limits) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start,
                               initargs=(limits,))
