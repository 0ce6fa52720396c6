"""Reading submissions and writing autograded notebooks (nbformat 4, nbgrader's cell metadata)."""
from __future__ import annotations

import copy
import json
import re
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


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def test_cell_ids(nb) -> list[str]:
    return [cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells if is_test_cell(cell)]


def code_cells(nb, source=None) -> list[str]:
    """The student's code: every code cell except the assignment's autograded test cells.

    With the instructor's `source`, a test cell is one whose grade_id is a test cell's there, so
    metadata a student added or removed neither hides their code nor runs a test cell as code.
    """
    if source is None:
        return [cell.source for cell in nb.cells if cell.cell_type == "code" and not is_test_cell(cell)]
    tests = set(test_cell_ids(source))
    return [cell.source for cell in nb.cells if cell.cell_type == "code" and _grade_id(cell) not in tests]


def _released_text(source: str) -> str:
    """A test cell as students receive it: nbgrader's release drops the hidden-tests block."""
    return re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", "", source, flags=re.S).strip()


def integrity_notes(submission, source) -> list[str]:
    """What a student changed in the graded parts of the notebook, said plainly for the feedback.

    None of it changes the grade: test cells are taken from the instructor's copy and every other
    code cell runs as the student's code. The notes tell the student (and the instructor) why.
    """
    notes = []
    wanted = {cell.metadata["nbgrader"]["grade_id"]: cell for cell in source.cells if is_test_cell(cell)}
    seen: dict[str, list] = {}
    for cell in submission.cells:
        if _grade_id(cell) is not None:
            seen.setdefault(_grade_id(cell), []).append(cell)
    for grade_id, test in wanted.items():
        found = seen.get(grade_id, [])
        if not found:
            notes.append(f"The test cell `{grade_id}` was deleted from your notebook; it was graded"
                         " from the assignment's own copy.")
            continue
        if len(found) > 1:
            notes.append(f"The test cell `{grade_id}` appears {len(found)} times; it was graded once.")
        cell = found[0]
        if cell.get("cell_type") != "code" or not is_test_cell(cell):
            notes.append(f"The nbgrader metadata of the test cell `{grade_id}` was altered; it was"
                         " graded as the assignment defines it, and code in it was not run.")
        elif _released_text(cell.source) != _released_text(test.source):
            notes.append(f"The test cell `{grade_id}` was edited; your edits were ignored (test cells"
                         " are read-only) and it was graded as the assignment defines it.")
        elif cell.metadata["nbgrader"].get("points") != test.metadata["nbgrader"].get("points"):
            notes.append(f"The points of the test cell `{grade_id}` were altered; the assignment's"
                         f" {test.metadata['nbgrader'].get('points')} points apply.")
    for grade_id, cells in seen.items():
        if grade_id not in wanted and any(is_test_cell(c) for c in cells):
            notes.append(f"The cell `{grade_id}` is marked as an autograded test cell, but the"
                         " assignment has no such test; it was run as your code and earns no points.")
    return notes


def autograded_notebook(submission, source, feedback: dict[str, tuple[bool, str]], notes=()):
    """The submission with each test cell as in `source` and its output holding that check's feedback.

    `feedback` maps a test cell's grade_id to (passed, text). Test cells are taken from the
    instructor's source notebook, so edited or deleted test cells in the submission do not matter.
    """
    nb = copy.deepcopy(submission) if submission is not None else copy.deepcopy(source)
    source_tests = {cell.metadata["nbgrader"]["grade_id"]: cell for cell in source.cells
                    if is_test_cell(cell)}
    known = {_grade_id(cell) for cell in source.cells} - {None}
    cells = [cell for cell in nb.cells if _grade_id(cell) not in source_tests]
    for cell in cells:  # nbgrader metadata the assignment does not define would confuse the gradebook
        if "nbgrader" in cell.get("metadata", {}) and _grade_id(cell) not in known:
            cell.metadata.pop("nbgrader")
    if submission is None:
        cells = []
    # Put every test cell back where the source has it: after the cell that precedes it there.
    by_id = {_grade_id(cell): i for i, cell in enumerate(cells)}
    previous = None
    inserts: list[tuple[str | None, object]] = []
    for cell in source.cells:
        grade_id = _grade_id(cell)
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
        by_id = {_grade_id(c): i for i, c in enumerate(cells)}
    if notes:
        note = nbformat.v4.new_markdown_cell("**Autograder notes**\n\n" + "\n".join(
            f"- {n}" for n in notes))
        note.metadata["autograder_note"] = True
        cells.insert(0, note)
    nb.cells = cells
    return nb
