"""Grader-side checks of the course's four assignments.

Each `Check` has a `harness(namespace, seed)` that calls the student's functions (found by name in
`namespace`, the notebook's globals) on inputs drawn from `numpy.random.default_rng(seed)` and returns
plain data, and a `judge(data, seed)` that recomputes the inputs, computes the reference with torch
and returns `(points, feedback)`. `run` does both in one process, for nbgrader's test cells:

    from autograder.checks import run
    run("backprop", "toposort_order", globals())
"""
from __future__ import annotations

import os
from typing import Any, Mapping

from . import backprop, descent, grad_mode, vjp_rules
from ._core import Check

__all__ = ["ASSIGNMENTS", "CHECKS", "Check", "DEFAULT_SEED", "SEED_VARIABLE", "get", "run",
           "seed_from_env", "total_points"]

SEED_VARIABLE = "AUTOGRADER_SEED"
DEFAULT_SEED = 20240917

ASSIGNMENTS = ("backprop", "vjp_rules", "grad_mode", "descent")
CHECKS: dict[str, dict[str, Check]] = {
    module.ASSIGNMENT: {check.name: check for check in module.CHECKS}
    for module in (backprop, vjp_rules, grad_mode, descent)
}


def get(assignment: str, check_name: str) -> Check:
    try:
        return CHECKS[assignment][check_name]
    except KeyError:
        raise KeyError(f"no check {check_name!r} in assignment {assignment!r}; known: "
                       f"{sorted(CHECKS.get(assignment, {}))}") from None


def total_points(assignment: str) -> int:
    return sum(check.points for check in CHECKS[assignment].values())


def seed_from_env() -> int:
    """The grading seed: $AUTOGRADER_SEED if set, else a fixed default (plain nbgrader runs)."""
    return int(os.environ.get(SEED_VARIABLE, DEFAULT_SEED))


def run(assignment: str, check_name: str, namespace: Mapping[str, Any], seed: int | None = None):
    """Run one check in this process; print its feedback; AssertionError if points are missing.

    Returns (points, feedback) when the check passes in full.
    """
    check = get(assignment, check_name)
    seed = seed_from_env() if seed is None else seed
    data = check.harness(namespace, seed)
    points, feedback = check.judge(data, seed)
    text = f"[{assignment}/{check_name}, seed {seed}] {feedback}"
    print(text)
    if points < check.points:
        raise AssertionError(text)
    return points, feedback
