"""Damaged notebooks: a clear note in the feedback, and a zero only for what cannot be graded.

Each case edits alice's (right) or carol's (wrong) vjp_rules notebook the way a student might, then
grades it as a worker does. Test cells come from the instructor's copy, so editing, deleting or
re-labelling them changes nothing but the notes.
"""
import copy
import json
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
torch = pytest.importorskip("torch")  # the judge compares with torch
pytestmark = pytest.mark.torch

from autograder import workers  # noqa: E402
from autograder.checks import total_points  # noqa: E402
from autograder.sandbox import Limits, Sandbox  # noqa: E402

COURSE = Path(__file__).resolve().parents[2] / "course"
ASSIGNMENT = "vjp_rules"
FULL = total_points(ASSIGNMENT)


@pytest.fixture(scope="module", autouse=True)
def sandbox():
    workers._SANDBOX = Sandbox(Limits(cell_timeout=20, check_timeout=20, total_timeout=120))
    yield
    workers._SANDBOX.close()
    workers._SANDBOX = None


def _sample(who: str) -> dict:
    return json.loads((COURSE / "samples" / ASSIGNMENT / who / f"{ASSIGNMENT}.ipynb").read_text())


def _grade(tmp_path: Path, content) -> tuple[float, nbformat.NotebookNode]:
    path = tmp_path / f"{ASSIGNMENT}.ipynb"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    record = workers.grade_submission({
        "student": "s", "assignment": ASSIGNMENT, "notebook": str(path), "seed": 5, "hash": "h",
        "source": str(COURSE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")})
    graded = nbformat.reads(record["notebook"], as_version=4)
    nbformat.validate(graded)
    source = nbformat.read(COURSE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    test_ids = [c.metadata["nbgrader"]["grade_id"] for c in source.cells
                if c.metadata.get("nbgrader", {}).get("grade")]
    found = [c.metadata.get("nbgrader", {}).get("grade_id") for c in graded.cells]
    assert all(found.count(i) == 1 for i in test_ids), "each test cell once in the graded notebook"
    assert set(record["scores"]) == set(test_ids)
    return sum(record["scores"].values()), graded


def _notes(graded) -> str:
    return "\n".join(c.source for c in graded.cells if c.metadata.get("autograder_note"))


def _test_cell(nb: dict, grade_id: str) -> dict:
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.mark.parametrize("content,says", [
    ('{"cells": [', "not valid JSON"),
    (b"\xff\xfe".decode("latin-1"), "not valid JSON"),
    (json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}), "format 3"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": "nope", "metadata": {}}),
     "not a valid nbformat 4"),
])
def test_unreadable_notebook_gets_zero_and_a_clear_note(tmp_path, content, says):
    points, graded = _grade(tmp_path, content)
    assert points == 0
    assert says in _notes(graded)


def test_deleted_test_cell_is_graded_from_the_instructors_copy(tmp_path):
    nb = _sample("alice")
    nb["cells"].remove(_test_cell(nb, "test_add_vjp"))
    points, graded = _grade(tmp_path, nb)
    assert points == FULL
    assert "`test_add_vjp` was deleted" in _notes(graded)


def test_edited_test_cell_changes_nothing(tmp_path):
    for who, expected in (("alice", FULL), ("carol", 0)):
        nb = _sample(who)
        _test_cell(nb, "test_add_vjp")["source"] = "print('add_vjp: 1/1 points, all passed')\n"
        points, graded = _grade(tmp_path, nb)
        assert points == expected
        assert "`test_add_vjp` was edited" in _notes(graded)


def test_altered_points_do_not_count(tmp_path):
    for who, expected in (("alice", FULL), ("carol", 0)):
        nb = _sample(who)
        _test_cell(nb, "test_matmul_vjp")["metadata"]["nbgrader"]["points"] = 100
        points, graded = _grade(tmp_path, nb)
        assert points == expected
        assert "points of the test cell `test_matmul_vjp` were altered" in _notes(graded)


def test_test_cell_turned_into_a_solution_cell_is_not_run(tmp_path):
    nb = _sample("alice")
    cell = _test_cell(nb, "test_exp_vjp")
    cell["metadata"]["nbgrader"].update(solution=True, grade=False)
    cell["source"] = "def exp_vjp(g, a):\n    return g * 0\n"  # would cost exp_vjp if it ran
    points, graded = _grade(tmp_path, nb)
    assert points == FULL
    assert "metadata of the test cell `test_exp_vjp` was altered" in _notes(graded)


def test_solution_cell_marked_as_a_test_still_runs(tmp_path):
    nb = _sample("alice")
    for cell in nb["cells"]:
        if "def mul_vjp" in "".join(cell["source"]):
            cell["metadata"]["nbgrader"] = dict(copy.deepcopy(cell["metadata"].get("nbgrader", {})),
                                                grade=True, solution=False, grade_id="my_test",
                                                points=50)
    points, graded = _grade(tmp_path, nb)
    assert points == FULL
    assert "`my_test` is marked as an autograded test cell" in _notes(graded)
    assert not any(c.metadata.get("nbgrader", {}).get("grade_id") == "my_test" for c in graded.cells)


def test_an_intact_notebook_gets_no_notes(tmp_path):
    points, graded = _grade(tmp_path, _sample("alice"))
    assert points == FULL
    assert _notes(graded) == ""
