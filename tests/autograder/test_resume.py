"""`grade` killed with SIGKILL in the middle of a batch: the next run finishes it, nothing lost or doubled."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("nbgrader")
torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.torch, pytest.mark.slow]

from autograder import cli  # noqa: E402
from autograder.gradebook import STATE_FILE, all_scores, db_url  # noqa: E402

ASSIGNMENTS = ("grad_mode", "vjp_rules")
COPIES = 2  # each sample twice over: 12 submissions
EXPECTED = json.loads((cli.REPO_COURSE / "samples" / "expected_scores.json").read_text())


@pytest.fixture()
def course(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(cli.REPO_COURSE / "nbgrader_config.py", root)
    for assignment in ASSIGNMENTS:
        shutil.copytree(cli.REPO_COURSE / "source" / assignment, root / "source" / assignment)
    cli.release(root, ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        for sample in ("alice", "bob", "carol"):
            for copy in range(COPIES):
                target = root / "submitted" / f"{sample}{copy}" / assignment
                target.mkdir(parents=True)
                shutil.copy(cli.REPO_COURSE / "samples" / assignment / sample / f"{assignment}.ipynb",
                            target)
    return root


def _recorded(course: Path) -> dict:
    try:
        return json.loads((course / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}


def _expected(course: Path) -> dict:
    return {(a, s.name): EXPECTED[a][s.name.rstrip("0123456789")]["points"]
            for s in (course / "submitted").iterdir() for a in ASSIGNMENTS}


def test_sigkill_mid_batch_then_resume(course):
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    process = subprocess.Popen([sys.executable, "-m", "autograder", "--course", str(course), "grade",
                                "--workers", "2"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    total = len(ASSIGNMENTS) * 3 * COPIES
    deadline = time.monotonic() + 600
    while len(_recorded(course)) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the grader, its workers and their sandboxes
    process.wait()
    done_before = set(_recorded(course))
    assert 3 <= len(done_before) < total, "the kill came too late to interrupt the batch"

    graded = cli.grade(course, quiet=True)
    regraded = {f"{r['assignment']}/{r['student']}" for r in graded}
    assert regraded == {f"{a}/{s}" for a, s in _expected(course)} - done_before

    rows = all_scores(db_url(course))
    assert len(rows) == total, "one gradebook row per submission, none doubled"
    assert {(r["assignment"], r["student"]): r["score"] for r in rows} == _expected(course)
    assert cli.grade(course, quiet=True) == [], "an unchanged submission is not graded again"

    # Forced: graded again, same scores, still one row each.
    assert len(cli.grade(course, assignment="grad_mode", force=True, quiet=True)) == total // 2
    rows = all_scores(db_url(course))
    assert len(rows) == total
    assert {(r["assignment"], r["student"]): r["score"] for r in rows} == _expected(course)


def test_a_changed_submission_is_graded_again(course):
    cli.grade(course, assignment="grad_mode", quiet=True)
    notebook = course / "submitted" / "carol0" / "grad_mode" / "grad_mode.ipynb"
    alice = cli.REPO_COURSE / "samples" / "grad_mode" / "alice" / "grad_mode.ipynb"
    shutil.copy(alice, notebook)  # carol0 resubmits a right answer
    graded = cli.grade(course, assignment="grad_mode", quiet=True)
    assert [(r["student"], r["assignment"]) for r in graded] == [("carol0", "grad_mode")]
    scores = {(r["assignment"], r["student"]): r["score"] for r in all_scores(db_url(course))}
    assert scores["grad_mode", "carol0"] == EXPECTED["grad_mode"]["alice"]["points"]


def test_an_unreleased_assignment_is_refused_before_grading(course):
    target = course / "submitted" / "dave" / "descent"  # descent was never released here
    target.mkdir(parents=True)
    shutil.copy(cli.REPO_COURSE / "samples" / "descent" / "alice" / "descent.ipynb", target)
    with pytest.raises(SystemExit, match=r"minigrad-grade release descent"):
        cli.grade(course, assignment="descent", quiet=True)
    assert _recorded(course) == {}
