"""minigrad-grade: the course's grading tool, run from the nbgrader course directory.

    minigrad-grade release [ASSIGNMENT ...]         nbgrader generate_assignment
    minigrad-grade grade [--student S] [--assignment A] [--force] [--workers N]
    minigrad-grade feedback                          nbgrader generate_feedback (HTML)
    minigrad-grade export [--out DIR]                grades.csv + a histogram PNG per assignment
    minigrad-grade demo [DIR]                        the whole workflow on the bundled samples
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .checks import ASSIGNMENTS, CHECKS
from .gradebook import (State, all_scores, content_hash, db_url, grader_secret,
                        released_test_cells, save_scores)
from .judging import submission_seed
from .sandbox import Limits

REPO_COURSE = Path(__file__).resolve().parents[1] / "course"


def _nbgrader(course: Path, *args: str) -> None:
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from this environment
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def release(course: Path, assignments=()) -> None:
    for assignment in assignments or sorted(p.name for p in (course / "source").iterdir() if p.is_dir()):
        _nbgrader(course, "generate_assignment", assignment, "--force")


def _progress(done: int, total: int, label: str = "") -> None:
    width = 30
    filled = width * done // max(total, 1)
    print(f"\rgrading [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[:40]:<40}",
          end="" if done < total else "\n", file=sys.stderr, flush=True)


def submissions(course: Path, student=None, assignment=None):
    """(student, assignment, notebook path) for each submitted notebook, nbgrader's layout."""
    root = course / "submitted"
    found = []
    for student_dir in sorted(root.iterdir()) if root.is_dir() else []:
        if not student_dir.is_dir() or (student and student_dir.name != student):
            continue
        for assignment_dir in sorted(student_dir.iterdir()):
            name = assignment_dir.name
            if not assignment_dir.is_dir() or name not in CHECKS or (assignment and name != assignment):
                continue
            found.append((student_dir.name, name, assignment_dir / f"{name}.ipynb"))
    return found


def grade(course: Path, student=None, assignment=None, force=False, workers=None,
          limits: Limits = Limits(), quiet=False) -> list[dict]:
    """Grade submissions in parallel; returns one record per graded submission."""
    from .workers import pool

    course = Path(course).resolve()
    url, secret, state = db_url(course), grader_secret(course), State(course)
    tasks = []
    for who, what, notebook in submissions(course, student, assignment):
        seed = submission_seed(secret, who, what)
        digest = content_hash(notebook, seed)
        if not force and state.up_to_date(who, what, digest):
            continue
        tasks.append({"student": who, "assignment": what, "notebook": str(notebook), "seed": seed,
                      "source": str(course / "source" / what / f"{what}.ipynb"), "hash": digest})
    graded = []
    if not tasks:
        return graded
    for what in sorted({task["assignment"] for task in tasks}):
        missing = {f"test_{name}" for name in CHECKS[what]} - released_test_cells(url, what)
        if missing:  # checked before grading: a score with no cell to go into would be lost
            cells = ", ".join(sorted(missing))
            raise SystemExit(f"{what} is not released in the gradebook ({db_url(course)}), or was"
                             f" released before its checks changed (no cell {cells})."
                             f" Run `minigrad-grade release {what}` first, then grade again.")
    workers = workers or os.cpu_count() or 1
    with pool(min(workers, len(tasks)), limits) as executor:
        futures = [executor.submit(_grade_task, task) for task in tasks]
        if not quiet:
            _progress(0, len(tasks))
        from concurrent.futures import as_completed

        for count, future in enumerate(as_completed(futures), 1):
            record = future.result()
            _store(course, url, state, record)
            graded.append(record)
            if not quiet:
                _progress(count, len(tasks), f"{record['assignment']}/{record['student']}")
    return graded


def _grade_task(task):
    from .workers import grade_submission

    return grade_submission(task)


def _store(course: Path, url: str, state: State, record: dict) -> None:
    """Autograded notebook, then gradebook, then the hash: a crash in between only means a regrade."""
    who, what = record["student"], record["assignment"]
    target = course / "autograded" / who / what
    source_dir = course / "submitted" / who / what
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source_dir, target)
    (target / f"{what}.ipynb").write_text(record["notebook"], encoding="utf-8")
    save_scores(url, what, what, who, record["scores"])
    state.record(who, what, record["hash"])


def feedback(course: Path, assignments=()) -> None:
    graded = course / "autograded"
    found = {p.name for p in graded.glob("*/*") if p.is_dir()} if graded.is_dir() else set()
    for assignment in sorted(assignments or found):
        _nbgrader(course, "generate_feedback", assignment, "--force")


def export(course: Path, out: Path | None = None) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out or course / "export")
    out.mkdir(parents=True, exist_ok=True)
    rows = all_scores(db_url(course))
    with open(out / "grades.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["student", "assignment", "score", "max_score"])
        writer.writeheader()
        writer.writerows(rows)
    written = [out / "grades.csv"]
    for assignment in sorted({r["assignment"] for r in rows}):
        scores = [r["score"] for r in rows if r["assignment"] == assignment]
        top = max(r["max_score"] for r in rows if r["assignment"] == assignment)
        fig, ax = plt.subplots(figsize=(5, 3))
        ax.hist(scores, bins=min(10, int(top) + 1), range=(0, top))
        ax.set(title=f"{assignment}: {len(scores)} submissions", xlabel=f"score (of {top:g})",
               ylabel="students")
        fig.tight_layout()
        fig.savefig(out / f"{assignment}_scores.png")
        plt.close(fig)
        written.append(out / f"{assignment}_scores.png")
    return written


def grade_table(course: Path) -> str:
    rows = all_scores(db_url(course))
    students = sorted({r["student"] for r in rows})
    assignments = [a for a in ASSIGNMENTS if any(r["assignment"] == a for r in rows)]
    cell = {(r["student"], r["assignment"]): r for r in rows}
    lines = ["student".ljust(10) + "".join(a.rjust(12) for a in assignments)]
    for who in students:
        parts = [f"{cell[who, a]['score']:g}/{cell[who, a]['max_score']:g}" if (who, a) in cell
                 else "-" for a in assignments]
        lines.append(who.ljust(10) + "".join(p.rjust(12) for p in parts))
    return "\n".join(lines)


def place_samples(course: Path) -> None:
    """The bundled samples as students submit them: submitted/<student>/<assignment>/."""
    for assignment_dir in sorted((course / "samples").iterdir()):
        if not assignment_dir.is_dir():
            continue
        for student_dir in sorted(assignment_dir.iterdir()):
            target = course / "submitted" / student_dir.name / assignment_dir.name
            target.mkdir(parents=True, exist_ok=True)
            for item in student_dir.iterdir():
                shutil.copy(item, target / item.name)


def demo(directory: Path | None = None, workers=None, limits: Limits = Limits()) -> Path:
    course = Path(directory or tempfile.mkdtemp(prefix="minigrad-course-")) / "course"
    if course.exists():
        shutil.rmtree(course)
    shutil.copytree(REPO_COURSE, course, ignore=shutil.ignore_patterns(
        "gradebook.db", "submitted", "autograded", "feedback", "release", "export", ".autograder_secret",
        "autograder_state.json", "__pycache__", ".ipynb_checkpoints"))
    print(f"course copied to {course}", file=sys.stderr)
    release(course, ASSIGNMENTS)
    place_samples(course)
    grade(course, workers=workers, limits=limits)
    print(grade_table(course))
    feedback(course)
    written = export(course)
    print(f"feedback: {course / 'feedback'}\nexport: {', '.join(str(p) for p in written)}")
    return course


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="minigrad-grade", description=__doc__.split("\n")[0])
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="the course directory")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("release", help="nbgrader generate_assignment")
    p.add_argument("assignments", nargs="*")
    p = sub.add_parser("grade", help="grade submitted/ in the sandbox")
    p.add_argument("--student")
    p.add_argument("--assignment")
    p.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    p.add_argument("--workers", type=int)
    sub.add_parser("feedback", help="nbgrader generate_feedback")
    p = sub.add_parser("export", help="grades.csv and a histogram per assignment")
    p.add_argument("--out", type=Path)
    p = sub.add_parser("demo", help="release, grade and report the bundled samples")
    p.add_argument("directory", nargs="?", type=Path)
    p.add_argument("--workers", type=int)
    args = parser.parse_args(argv)
    course = args.course.resolve()
    if args.command == "release":
        release(course, args.assignments)
    elif args.command == "grade":
        graded = grade(course, args.student, args.assignment, args.force, args.workers)
        print(f"graded {len(graded)} submission(s)")
        print(grade_table(course))
    elif args.command == "feedback":
        feedback(course)
    elif args.command == "export":
        for path in export(course, args.out):
            print(path)
    elif args.command == "demo":
        demo(args.directory, args.workers)


if __name__ == "__main__":
    main()
