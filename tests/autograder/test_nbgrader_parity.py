"""Honest submissions: `grade` (sandbox, then torch outside) scores exactly as plain `nbgrader autograde`
(test cells calling the checks in the student's kernel), test cell by test cell, on the 12 samples."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("nbgrader")
torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.torch, pytest.mark.slow]

from autograder import cli  # noqa: E402
from autograder.checks import ASSIGNMENTS, CHECKS  # noqa: E402
from autograder.sandbox import Limits  # noqa: E402

# nbgrader driven as tests/assignments drives it: one generate process, the repository importable.
from ..assignments.test_nbgrader import GENERATE as RELEASE, _env  # noqa: E402

# carol's toposort is quadratic: on the 100,000-node chain it runs for minutes and scores 0 whenever
# it stops. Both graders stop it after this long; the correct ones need 1-4 s (a loaded machine).
TIMEOUT = 15


def _run(course: Path, *argv: str) -> None:
    out = subprocess.run([sys.executable, *argv], cwd=course, env=_env(), capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]


def _scores(course: Path) -> dict:
    """(assignment, student) -> {grade_id: score} for every test cell in the course's gradebook."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                found[assignment.name, submission.student.id] = {
                    grade.name: float(grade.score)
                    for notebook in submission.notebooks for grade in notebook.grades}
    return found


def test_grade_scores_as_nbgrader_autograde(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SECRET", "parity")  # fixed seeds, so a failure can be replayed
    base = tmp_path / "base"
    base.mkdir()
    shutil.copy(cli.REPO_COURSE / "nbgrader_config.py", base)
    shutil.copytree(cli.REPO_COURSE / "source", base / "source")
    shutil.copytree(cli.REPO_COURSE / "samples", base / "samples")
    _run(base, "-c", RELEASE, str(base), *ASSIGNMENTS)
    cli.place_samples(base)
    plain, ours = tmp_path / "plain", tmp_path / "ours"
    shutil.copytree(base, plain)
    shutil.copytree(base, ours)

    # Both graders at once, each in its own copy: nbgrader grades one notebook after the other (the
    # hidden test cells run the checks in the student's kernel), every assignment ("*") in one run.
    log = tmp_path / "nbgrader.log"
    with open(log, "w") as handle:
        autograde = subprocess.Popen(
            [sys.executable, "-m", "nbgrader", "autograde", "*", f"--Execute.timeout={TIMEOUT}"],
            cwd=plain, env=_env(), stdout=handle, stderr=subprocess.STDOUT)
        try:
            records = cli.grade(ours, workers=2, quiet=True, limits=Limits(check_timeout=TIMEOUT))
        finally:
            autograde.wait(timeout=900)
    assert autograde.returncode == 0, log.read_text()[-3000:]

    by_nbgrader, by_grade = _scores(plain), _scores(ours)
    expected = json.loads((cli.REPO_COURSE / "samples" / "expected_scores.json").read_text())
    labelled = {(assignment, student): {f"test_{name}": 0.0 if name in sample["lost"] else float(check.points)
                                        for name, check in CHECKS[assignment].items()}
                for assignment, by_student in expected.items() for student, sample in by_student.items()}
    assert len(labelled) == 12 and len(records) == 12
    assert all(set(sample["lost"]) <= set(CHECKS[assignment]) for assignment, by_student in expected.items()
               for sample in by_student.values())
    assert {(r["assignment"], r["student"]): r["scores"] for r in records} == by_grade
    for key, cells in labelled.items():
        assert by_nbgrader[key] == cells, ("nbgrader autograde", key)
        assert by_grade[key] == cells, ("minigrad-grade grade", key)
    assert by_nbgrader == by_grade
