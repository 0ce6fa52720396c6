"""nbgrader itself: the student release holds no solution, and autograding a sample gives its score."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("nbgrader")

from . import _helpers as h  # noqa: E402

pytestmark = pytest.mark.slow


GENERATE = """
import sys
from nbgrader.apps import NbGraderAPI
from traitlets.config import Config

config = Config()
config.CourseDirectory.root = sys.argv[1]
api = NbGraderAPI(config=config)
for assignment in sys.argv[2:]:
    result = api.generate_assignment(assignment)
    assert result["success"], result
"""


def _env() -> dict:
    root = str(h.COURSE.parent)
    return dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"],
                PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""), OMP_NUM_THREADS="1")


def _course(tmp_path: Path, *assignments: str) -> Path:
    """A scratch copy of the course with the releases of `assignments` generated (one process)."""
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(h.COURSE / "nbgrader_config.py", course)
    shutil.copytree(h.COURSE / "source", course / "source")
    out = subprocess.run([sys.executable, "-c", GENERATE, str(course), *assignments], cwd=course,
                         env=_env(), capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return course


def _nbgrader(course: Path, *args: str) -> None:
    out = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=_env(),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]


def test_release_holds_no_solution_text(tmp_path):
    course = _course(tmp_path, *h.ASSIGNMENTS)
    for assignment in h.ASSIGNMENTS:
        release = (course / "release" / assignment / f"{assignment}.ipynb").read_text()
        source = h.source_notebook(assignment)
        given = {line.strip() for c in source["cells"] if not h.meta(c).get("solution")
                 for line in h.text(c).splitlines()}
        for code in h.solution_cells(source).values():
            body = [line.strip() for line in code.splitlines()
                    if line.strip() not in given and not line.lstrip().startswith(("def ", "class ", '"""'))]
            leaked = [line for line in body if json.dumps(line)[1:-1] in release and len(line) > 12]
            assert not leaked, (assignment, leaked[:5])
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "autograder"):
            assert marker not in release
        assert release.count("raise NotImplementedError()") == sum(
            h.text(c).count("### BEGIN SOLUTION") for c in source["cells"])


@pytest.mark.torch
def test_autograde_of_a_sample_gives_its_expected_score(tmp_path):
    pytest.importorskip("torch")
    course = _course(tmp_path, "grad_mode")
    _nbgrader(course, "db", "student", "add", "bob")
    submitted = course / "submitted" / "bob" / "grad_mode"
    submitted.mkdir(parents=True)
    shutil.copy(h.COURSE / "samples" / "grad_mode" / "bob" / "grad_mode.ipynb", submitted)
    _nbgrader(course, "autograde", "grad_mode")
    from nbgrader.api import Gradebook

    expected = json.loads((h.COURSE / "samples" / "expected_scores.json").read_text())
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission("grad_mode", "bob")
        assert submission.score == expected["grad_mode"]["bob"]["points"]
        assert submission.max_score == 9
