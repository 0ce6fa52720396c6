"""Writing scores into nbgrader's gradebook (the main process is its only writer) and resume state."""
from __future__ import annotations

import atexit
import hashlib
import json
import os
import secrets
import warnings
from pathlib import Path

from nbgrader.api import BaseCell, Grade, Gradebook, MissingEntry, Notebook, SubmittedNotebook

from .checks import ASSIGNMENTS  # noqa: F401 - re-exported for the CLI

STATE_FILE = "autograder_state.json"
SECRET_FILE = ".autograder_secret"
CHECKS_DIR = Path(__file__).resolve().parent / "checks"


def db_url(course: Path) -> str:
    return f"sqlite:///{Path(course).resolve() / 'gradebook.db'}"


def grader_secret(course: Path) -> str:
    """$AUTOGRADER_SECRET, else a random secret kept (mode 600) in the course directory."""
    if os.environ.get("AUTOGRADER_SECRET"):
        return os.environ["AUTOGRADER_SECRET"]
    path = Path(course) / SECRET_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def content_hash(notebook: Path, seed: int) -> str:
    """What a grade depends on: the submission's bytes, the seed and the checks' code."""
    digest = hashlib.sha256()
    digest.update(Path(notebook).read_bytes() if Path(notebook).exists() else b"<missing>")
    digest.update(str(seed).encode())
    for source in sorted(CHECKS_DIR.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()


class State:
    """Content hashes of graded submissions, beside the gradebook; rewritten atomically."""

    def __init__(self, course: Path):
        self.path = Path(course) / STATE_FILE
        try:
            self.hashes = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.hashes = {}

    def key(self, student: str, assignment: str) -> str:
        return f"{assignment}/{student}"

    def up_to_date(self, student: str, assignment: str, digest: str) -> bool:
        return self.hashes.get(self.key(student, assignment)) == digest

    def record(self, student: str, assignment: str, digest: str) -> None:
        self.hashes[self.key(student, assignment)] = digest
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.hashes, indent=1, sort_keys=True))
        os.replace(tmp, self.path)


# One open gradebook per URL for a whole batch: opening one (engine, table checks, course row) costs
# more than the writes of a submission. Keyed with the SQLite file's inode, so a gradebook deleted
# and made again at the same path is opened afresh instead of written through the old handle.
_OPEN: dict[str, tuple[object, Gradebook]] = {}


def _identity(url: str):
    path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else None
    try:
        return (os.stat(path).st_dev, os.stat(path).st_ino) if path else None
    except OSError:
        return "missing"


def _gradebook(url: str) -> Gradebook:
    identity = _identity(url)
    if url in _OPEN and _OPEN[url][0] == identity:
        gb = _OPEN[url][1]
        gb.db.expire_all()  # another program (nbgrader release, formgrader) may have written since
        return gb
    _forget(url)
    gb = Gradebook(url)
    _OPEN[url] = (_identity(url), gb)
    return gb


def _forget(url: str) -> None:
    if url in _OPEN:
        _, gb = _OPEN.pop(url)
        gb.close()
        gb.engine.dispose()


atexit.register(lambda: [_forget(url) for url in list(_OPEN)])


def save_scores(url: str, assignment: str, notebook: str, student: str, scores: dict) -> None:
    """Auto scores into nbgrader's gradebook, as nbgrader's SaveAutoGrades stores them; one commit."""
    gb = _gradebook(url)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes from inside add_submission
            try:
                gb.find_student(student)
            except MissingEntry:
                gb.add_student(student)
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                submission = gb.add_submission(assignment, student)
            # Every grade of the notebook in one query, instead of one find_grade per test cell.
            rows = (gb.db.query(Grade, BaseCell.name)
                    .join(BaseCell, BaseCell.id == Grade.cell_id)
                    .join(SubmittedNotebook, SubmittedNotebook.id == Grade.notebook_id)
                    .join(Notebook, Notebook.id == SubmittedNotebook.notebook_id)
                    .filter(SubmittedNotebook.assignment_id == submission.id,
                            Notebook.name == notebook).all())
            missing = sorted(set(scores) - {name for _, name in rows})
            if missing:  # a score with nowhere to go would be lost without a word
                raise MissingEntry(
                    f"the gradebook has no test cell {', '.join(missing)} of {assignment}/{notebook}:"
                    f" the assignment in the gradebook is older than its checks; release it again"
                    f" (minigrad-grade release {assignment}) and grade again.")
            for grade, name in rows:
                if name in scores:
                    grade.auto_score = float(scores[name])
                    grade.needs_manual_grade = grade.manual_score is not None
            gb.db.commit()
    except BaseException:
        gb.db.rollback()
        _forget(url)
        raise


def released_test_cells(url: str, assignment: str) -> set[str]:
    """Names of the autograded cells the gradebook knows for `assignment` (empty if not released)."""
    gb = _gradebook(url)
    try:
        found = gb.find_assignment(assignment)
    except MissingEntry:
        return set()
    return {cell.name for notebook in found.notebooks for cell in notebook.grade_cells}


def all_scores(url: str) -> list[dict]:
    """One row per submission: student, assignment, score, max_score."""
    rows = []
    with Gradebook(url) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                rows.append({"student": submission.student.id, "assignment": assignment.name,
                             "score": float(submission.score), "max_score": float(submission.max_score)})
    return sorted(rows, key=lambda r: (r["assignment"], r["student"]))
