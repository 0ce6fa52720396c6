"""Every check against torch: reference full marks, blank release zero, each wrong solution loses
exactly its check's points with the intended hint, and the sample submissions score as labelled."""
import json

import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from autograder.checks import CHECKS, run, total_points  # noqa: E402

from . import _helpers as h  # noqa: E402
from .wrong_solutions import WRONG, apply  # noqa: E402

WRONG_CASES = [(a, c) for a in h.ASSIGNMENTS for c in CHECKS[a]]


@pytest.fixture
def shallow_chains(monkeypatch):
    """Deep-graph checks on 3,000-node chains: still past Python's recursion limit, 30x faster.

    The full 100,000-node chains are graded in test_reference_solution_scores_full_marks and in
    the nbgrader run of tests/assignments/test_nbgrader.py.
    """
    from autograder.checks import backprop

    monkeypatch.setattr(backprop, "DEEP", 3000)


@pytest.mark.parametrize("assignment", h.ASSIGNMENTS)
def test_reference_solution_scores_full_marks(assignment):
    scores = h.score(assignment, h.reference(assignment))
    assert {n: p for n, (p, _) in scores.items()} == {n: c.points for n, c in CHECKS[assignment].items()}


@pytest.mark.parametrize("assignment", h.ASSIGNMENTS)
def test_blank_release_scores_zero(assignment, shallow_chains):
    preprocessors = pytest.importorskip("nbgrader.preprocessors")
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.reads(json.dumps(h.source_notebook(assignment)), as_version=4)
    for step in (preprocessors.ClearSolutions(), preprocessors.ClearHiddenTests()):
        nb, _ = step.preprocess(nb, {})
    scores = h.score(assignment, h.namespace(json.loads(nbformat.writes(nb))))
    assert all(points == 0 for points, _ in scores.values()), scores
    assert all("NotImplementedError" in feedback for _, feedback in scores.values())


def test_every_check_has_a_wrong_solution():
    assert {(a, c) for a in WRONG for c in WRONG[a]} == set(WRONG_CASES)


@pytest.mark.parametrize("assignment,check", WRONG_CASES)
def test_wrong_solution_loses_exactly_its_check(assignment, check, shallow_chains):
    grade_id, edits, hint = WRONG[assignment][check]
    cells = h.solution_cells(h.source_notebook(assignment))
    ns = h.reference(assignment, {grade_id: apply(cells[grade_id], edits)})
    scores = h.score(assignment, ns)
    lost = {name for name, (points, _) in scores.items() if points < CHECKS[assignment][name].points}
    assert lost == {check}, {n: f for n, (p, f) in scores.items() if n in lost}
    points, feedback = scores[check]
    assert points == 0 and hint in feedback, feedback


@pytest.mark.parametrize("assignment", h.ASSIGNMENTS)
@pytest.mark.parametrize("student", ["alice", "bob", "carol"])
def test_samples_score_as_labelled(assignment, student, shallow_chains):
    expected = json.loads((h.COURSE / "samples" / "expected_scores.json").read_text())[assignment][student]
    nb = h.read(h.COURSE / "samples" / assignment / student / f"{assignment}.ipynb")
    scores = h.score(assignment, h.namespace(nb))
    lost = sorted(n for n, (p, _) in scores.items() if p < CHECKS[assignment][n].points)
    assert sum(p for p, _ in scores.values()) == expected["points"]
    assert lost == sorted(expected["lost"])
    if student == "alice":
        assert expected["points"] == total_points(assignment)


def test_run_prints_feedback_and_raises_when_points_are_missing(capsys):
    ns = h.reference("grad_mode")
    assert run("grad_mode", "detach", ns, seed=3)[0] == 2
    assert "(2/2 points)" in capsys.readouterr().out
    cells = h.solution_cells(h.source_notebook("grad_mode"))
    ns = h.reference("grad_mode", {"detach": cells["detach"].replace("Tensor(t.data)", "Tensor(t.data.copy())")})
    with pytest.raises(AssertionError, match="0/2 points"):
        run("grad_mode", "detach", ns, seed=3)


def test_seed_comes_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("AUTOGRADER_SEED", "5")
    run("vjp_rules", "exp_vjp", h.reference("vjp_rules"))
    assert "seed 5]" in capsys.readouterr().out
