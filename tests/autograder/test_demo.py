"""`demo` end to end in a temporary directory: the samples score as labelled, feedback and plots exist."""
import json
from pathlib import Path

import pytest

pytest.importorskip("nbgrader")
torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.torch, pytest.mark.slow]

from autograder import cli  # noqa: E402
from autograder.gradebook import all_scores, db_url  # noqa: E402
from autograder.sandbox import Limits  # noqa: E402

EXPECTED = json.loads((cli.REPO_COURSE / "samples" / "expected_scores.json").read_text())


def test_demo_end_to_end(tmp_path, capsys):
    course = cli.demo(tmp_path, workers=2, limits=Limits(check_timeout=30, cell_timeout=30))
    scores = {(r["assignment"], r["student"]): r["score"] for r in all_scores(db_url(course))}
    assert scores == {(a, s): v["points"] for a, by in EXPECTED.items() for s, v in by.items()}
    out = capsys.readouterr().out
    assert "alice" in out and "19/19" in out
    for assignment in EXPECTED:
        assert (course / "export" / f"{assignment}_scores.png").stat().st_size > 0
        html = (course / "feedback" / "bob" / assignment / f"{assignment}.html").read_text()
        assert "points" in html and "from autograder" not in html
    assert (course / "export" / "grades.csv").read_text().count("\n") == 13
    # Resumable: nothing changed, nothing regraded.
    assert cli.grade(course, quiet=True) == []
