"""Grading benchmark: plain `nbgrader autograde` against `minigrad-grade grade`, one machine, one run.

    .venv/bin/python benchmarks/grading.py                  # 100 submissions of vjp_rules
    .venv/bin/python benchmarks/grading.py --n 30 --assignment grad_mode

Submissions s000, s001, ... cycle through the bundled samples alice, bob and carol, each with a
markdown cell naming its student in front, so no two files are alike (content hashes differ). Each
contender grades them from a fresh scratch copy of the course with the assignment released:
nbgrader serially, as it does, and `minigrad-grade grade --force` with its defaults (one worker per
core). Both run as the instructor would start them (a new process), so the wall times include
start-up. Afterwards the scores of every submission are compared test cell by test cell, between the
two gradebooks and against the sample's expected score. Needs the `grader` extra and bubblewrap.
Other processes on the same cores change the times; compare the ratio of one run.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
SAMPLES = ("alice", "bob", "carol")


def run(argv: list[str], course: Path) -> float:
    """Wall time of one command run in the course directory; its output only if it fails."""
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"],
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=course, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return elapsed


def released_course(workdir: Path, assignment: str) -> Path:
    """The course without anything generated, and the assignment released (its gradebook entry)."""
    course = workdir / "base"
    course.mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", course)
    shutil.copytree(COURSE / "source" / assignment, course / "source" / assignment)
    run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"], course)
    return course


def submission(assignment: str, index: int) -> tuple[str, str, str]:
    """(student, sample, notebook text): sample `index % 3` with a cell that names the student."""
    student, sample = f"s{index:03d}", SAMPLES[index % len(SAMPLES)]
    nb = json.loads((COURSE / "samples" / assignment / sample / f"{assignment}.ipynb").read_text())
    nb["cells"].insert(0, {"cell_type": "markdown", "metadata": {},
                           "source": f"Submitted by {student} (from the sample of {sample})."})
    return student, sample, json.dumps(nb, indent=1)


def scratch_copy(base: Path, target: Path, assignment: str, submissions) -> Path:
    shutil.copytree(base, target)
    for student, _, text in submissions:
        folder = target / "submitted" / student / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_text(text)
    return target


def scores(course: Path, assignment: str) -> dict[str, dict[str, float]]:
    """student -> {grade_id: score} for every test cell in the course's gradebook."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in gb.find_assignment(assignment).submissions:
            found[sub.student.id] = {grade.name: float(grade.score)
                                     for notebook in sub.notebooks for grade in notebook.grades}
    return found


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100, help="number of submissions (default 100)")
    parser.add_argument("--assignment", default="vjp_rules",
                        choices=("backprop", "vjp_rules", "grad_mode", "descent"))
    parser.add_argument("--keep", action="store_true", help="keep the scratch courses")
    args = parser.parse_args(argv)
    assignment = args.assignment
    expected = json.loads((COURSE / "samples" / "expected_scores.json").read_text())[assignment]

    workdir = Path(tempfile.mkdtemp(prefix="grading-bench-"))
    try:
        base = released_course(workdir, assignment)
        made = [submission(assignment, i) for i in range(args.n)]
        by_nbgrader = scratch_copy(base, workdir / "nbgrader", assignment, made)
        by_grade = scratch_copy(base, workdir / "grade", assignment, made)
        load = os.getloadavg()[0]
        print(f"{args.n} submissions of {assignment} ({', '.join(SAMPLES)} cycling); "
              f"{os.cpu_count()} cores; load average before: {load:.2f}", flush=True)

        grade_bin = Path(sys.executable).parent / "minigrad-grade"
        t_grade = run([str(grade_bin), "grade", "--force", "--assignment", assignment], by_grade)
        print(f"minigrad-grade grade:    {t_grade:8.1f} s  {args.n / t_grade:6.2f} submissions/s",
              flush=True)
        t_nbgrader = run([sys.executable, "-m", "nbgrader", "autograde", assignment], by_nbgrader)
        print(f"nbgrader autograde:      {t_nbgrader:8.1f} s  {args.n / t_nbgrader:6.2f} submissions/s")
        print(f"speed-up (nbgrader / grade): {t_nbgrader / t_grade:.1f}x (target: at least 5x)")

        ours, theirs = scores(by_grade, assignment), scores(by_nbgrader, assignment)
        same = sum(1 for student, _, _ in made if student in ours and ours[student] == theirs.get(student))
        as_labelled = sum(1 for student, sample, _ in made
                          if sum(ours.get(student, {}).values()) == expected[sample]["points"])
        print(f"identical scores, every test cell: {same}/{args.n} submissions; "
              f"total as the sample's expected score: {as_labelled}/{args.n}")
        for student, sample, _ in made:
            if ours.get(student) != theirs.get(student):
                differ = {k: (ours.get(student, {}).get(k), v)
                          for k, v in theirs.get(student, {}).items()
                          if ours.get(student, {}).get(k) != v}
                print(f"  {student} ({sample}) differs (grade, nbgrader): {differ or ours.get(student)}")
        if same != args.n or as_labelled != args.n:
            raise SystemExit(1)
    finally:
        if args.keep:
            print(f"scratch courses kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
