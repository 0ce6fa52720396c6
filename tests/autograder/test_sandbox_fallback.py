"""Without bubblewrap the grader says so loudly, and still grades with resource limits."""
import json
from pathlib import Path

import pytest

pytest.importorskip("nbformat")
torch = pytest.importorskip("torch")  # the judge compares with torch
pytestmark = pytest.mark.torch

from autograder.judging import grade_cells  # noqa: E402
from autograder.notebook_io import code_cells, read_submission  # noqa: E402
from autograder.sandbox import Limits, Sandbox, SandboxUnavailable  # noqa: E402

COURSE = Path(__file__).resolve().parents[2] / "course"
EXPECTED = json.loads((COURSE / "samples" / "expected_scores.json").read_text())


@pytest.fixture(scope="module")
def fallback():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUTOGRADER_NO_BWRAP", "1")
        with pytest.warns(SandboxUnavailable, match="rlimits ONLY"):
            box = Sandbox(Limits(cell_timeout=8, check_timeout=8, total_timeout=120))
    yield box
    box.close()


def _points(box, who, extra=()):
    cells = code_cells(read_submission(COURSE / "samples" / "grad_mode" / who / "grad_mode.ipynb"))
    results, _ = grade_cells(box, "grad_mode", [*extra, *cells], seed=3)
    return sum(r.points for r in results)


def test_fallback_is_not_called_isolated(fallback):
    assert not fallback.isolated


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_fallback_grades_as_the_sandbox_does(fallback, who):
    assert _points(fallback, who) == EXPECTED["grad_mode"][who]["points"]


def test_fallback_still_limits_time_and_memory(fallback):
    hang = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    hog = "hog = []\nwhile True:\n    hog.append(bytearray(1 << 26))"
    assert _points(fallback, "alice", [hang, hog]) == EXPECTED["grad_mode"]["alice"]["points"]
