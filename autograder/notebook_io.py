"""Reading submissions and writing autograded notebooks (nbformat 4, nbgrader's cell metadata)."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat


class UnreadableNotebook(ValueError):
    """The submission cannot be graded as a notebook; the message goes into its feedback."""


def read_submission(path: Path):
    try:
        text = Path(path).read_text(encoding="utf-8")
        raw = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UnreadableNotebook(f"the notebook file is not valid JSON ({type(exc).__name__}: "
                                 f"{str(exc)[:200]})") from None
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        version = raw.get("nbformat") if isinstance(raw, dict) else None
        raise UnreadableNotebook(f"the notebook is in format {version!r}; only nbformat 4 can be"
                                 " graded (save it again from JupyterLab)")
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises several kinds
        raise UnreadableNotebook(f"the notebook is not a valid nbformat 4 file ({exc})"[:300]) from None


def is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def code_cells(nb) -> list[str]:
    """The student's code: every code cell except the autograded test cells."""
    return [cell.source for cell in nb.cells if cell.cell_type == "code" and not is_test_cell(cell)]


def test_cell_ids(nb) -> list[str]:
    return [cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells if is_test_cell(cell)]


def autograded_notebook(submission, source, feedback: dict[str, tuple[bool, str]], notes=()):
    """The submission with each test cell as in `source` and its output holding that check's feedback.

    `feedback` maps a test cell's grade_id to (passed, text). Test cells are taken from the
    instructor's source notebook, so edited or deleted test cells in the submission do not matter.
    """
    nb = copy.deepcopy(submission) if submission is not None else copy.deepcopy(source)
    source_tests = {cell.metadata["nbgrader"]["grade_id"]: cell for cell in source.cells
                    if is_test_cell(cell)}
    cells = [cell for cell in nb.cells if not is_test_cell(cell)
             and cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") not in source_tests]
    if submission is None:
        cells = []
    # Put every test cell back where the source has it: after the cell that precedes it there.
    by_id = {cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"): i
             for i, cell in enumerate(cells)}
    previous = None
    inserts: list[tuple[str | None, object]] = []
    for cell in source.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in source_tests:
            inserts.append((previous, source_tests[grade_id]))
        else:
            previous = grade_id
    for anchor, test in inserts:
        cell = copy.deepcopy(test)
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        passed, text = feedback.get(grade_id, (False, "not graded"))
        if passed:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text + "\n")]
        else:
            cell.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue=text,
                                                   traceback=[f"AssertionError: {text}"])]
        cell.execution_count = None
        position = by_id.get(anchor, len(cells) - 1) if anchor is not None else -1
        cells.insert(position + 1, cell)
        by_id = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id"): i
                 for i, c in enumerate(cells)}
    if notes:
        note = nbformat.v4.new_markdown_cell("**Autograder notes**\n\n" + "\n".join(
            f"- {n}" for n in notes))
        note.metadata["autograder_note"] = True
        cells.insert(0, note)
    nb.cells = cells
    return nb
