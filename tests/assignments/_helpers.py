"""Reading the assignments' notebooks into namespaces, and scoring a namespace with every check.

Notebooks are read as JSON (no nbformat), so the torch-free tests run with only NumPy and pytest.
"""
from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

COURSE = Path(__file__).resolve().parents[2] / "course"
ASSIGNMENTS = ("backprop", "vjp_rules", "grad_mode", "descent")
SEED = 11
_MARKER = re.compile(r"^ *### (BEGIN|END) (SOLUTION|HIDDEN TESTS)\n?", re.M)


def read(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def source_notebook(assignment: str) -> dict:
    return read(COURSE / "source" / assignment / f"{assignment}.ipynb")


def text(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_cells(nb: dict) -> dict[str, str]:
    """grade_id -> code of each solution cell, without nbgrader's markers."""
    return {meta(c)["grade_id"]: _MARKER.sub("", text(c)) for c in nb["cells"] if meta(c).get("solution")}


def namespace(nb: dict, replace: dict[str, str] | None = None, *, self_checks: bool = False) -> dict:
    """Execute the notebook's code as a student's kernel would, without the graded test cells.

    `replace` swaps solution cells (by grade_id). Self-check cells run only if asked; an error in
    one of them is raised.
    """
    replace = replace or {}
    ns: dict = {}
    for cell in nb["cells"]:
        info = meta(cell)
        if cell["cell_type"] != "code" or info.get("grade"):
            continue
        is_check = not info.get("solution") and info.get("grade_id", "").endswith("_check")
        is_demo = info.get("grade_id", "").endswith("_try")
        if (is_check or is_demo) and not self_checks:
            continue
        code = replace.get(info.get("grade_id"), _MARKER.sub("", text(cell)))
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, f"<{info.get('grade_id')}>", "exec"), ns)
    return ns


def reference(assignment: str, replace: dict[str, str] | None = None) -> dict:
    return namespace(source_notebook(assignment), replace)


def score(assignment: str, ns: dict, seed: int = SEED) -> dict[str, tuple[int, str]]:
    """check name -> (points, feedback), running harness and judge in this process."""
    from autograder.checks import CHECKS

    return {name: check.judge(check.harness(ns, seed), seed)
            for name, check in CHECKS[assignment].items()}
