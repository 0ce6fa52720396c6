"""The trusted phase: decode what the sandbox sent (plain JSON, never pickles) and judge it.

`grade_cells` is the whole two-phase grading of one submission's code cells: the sandbox runs them
and the harnesses, then each check's judge compares the data with torch's answer in this process.
"""
from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass

import numpy as np

from .checks import CHECKS
from .sandbox import RunResult, Sandbox

ALLOWED_DTYPES = {np.dtype(name).str for name in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64")}
MAX_ELEMENTS = 5_000_000


class MalformedData(ValueError):
    """The sandbox sent something that is not what `encode` produces."""


def decode(value, depth: int = 0):
    """The inverse of `harness_runner.encode`, strictly: anything unexpected raises MalformedData."""
    if depth > 60:
        raise MalformedData("nested too deeply")
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, list):
        return [decode(v, depth + 1) for v in value]
    if not isinstance(value, dict):
        raise MalformedData(f"unexpected {type(value).__name__}")
    keys = set(value)
    if keys == {"__tuple__"} and isinstance(value["__tuple__"], list):
        return tuple(decode(v, depth + 1) for v in value["__tuple__"])
    if keys == {"__dict__"} and isinstance(value["__dict__"], list):
        out = {}
        for pair in value["__dict__"]:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise MalformedData("bad dict entry")
            key = decode(pair[0], depth + 1)
            if isinstance(key, (list, dict, np.ndarray)):
                raise MalformedData("unhashable dict key")
            out[key] = decode(pair[1], depth + 1)
        return out
    if keys == {"__float__"} and value["__float__"] in ("nan", "inf", "-inf"):
        return float(value["__float__"])
    if keys == {"__ndarray__", "dtype", "shape", "scalar"}:
        return _decode_array(value)
    raise MalformedData(f"unexpected record with keys {sorted(keys)[:5]}")


def _decode_array(value: dict):
    dtype, shape, flat = value["dtype"], value["shape"], value["__ndarray__"]
    if dtype not in ALLOWED_DTYPES:
        raise MalformedData(f"dtype {dtype!r} not allowed")
    if not (isinstance(shape, list) and all(type(s) is int and s >= 0 for s in shape)):
        raise MalformedData("bad shape")
    if not isinstance(flat, list) or len(flat) != math.prod(shape) or len(flat) > MAX_ELEMENTS:
        raise MalformedData("element count does not match the shape")
    dt = np.dtype(dtype)
    if dt.kind == "f":
        if not all(type(x) in (int, float) or x in ("nan", "inf", "-inf") for x in flat):
            raise MalformedData("non-numeric element")
        array = np.array([float(x) for x in flat], dtype=np.float64).astype(dt)
    elif dt.kind == "b":
        if not all(type(x) is bool for x in flat):
            raise MalformedData("non-boolean element")
        array = np.array(flat, dtype=dt)
    else:
        if not all(type(x) is int for x in flat):
            raise MalformedData("non-integer element")
        array = np.array(flat, dtype=dt)
    array = array.reshape(shape)
    if value["scalar"] is True:
        return array[()]
    return array


def submission_seed(secret: str, student: str, assignment: str) -> int:
    """A per-submission seed that students cannot predict without the grader's secret."""
    digest = hmac.new(secret.encode(), f"{assignment}\0{student}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:6], "big")


@dataclass
class CheckResult:
    name: str
    points: float
    max_points: int
    feedback: str


STATUS_TEXT = {
    "timeout": "your code ran out of time in this check ({})",
    "crashed": "the process running your code ended during this check ({})",
    "error": "the check could not run your code: {}",
}


def judge_check(assignment: str, name: str, status, data, seed: int) -> CheckResult:
    """One check's verdict from its sandbox result; a judge never sees student objects."""
    check = CHECKS[assignment][name]
    if status != "ok":
        text = STATUS_TEXT.get(status, "no result ({})").format(str(data)[:500])
        return CheckResult(name, 0, check.points, f"0/{check.points} points: {text}.")
    try:
        plain = decode(data)
    except MalformedData as exc:
        return CheckResult(name, 0, check.points,
                           f"0/{check.points} points: the harness data was malformed ({exc}).")
    try:
        points, feedback = check.judge(plain, seed)
    except Exception as exc:  # noqa: BLE001 - odd data must cost this check only
        return CheckResult(name, 0, check.points, f"0/{check.points} points: your results could"
                           f" not be compared ({type(exc).__name__}).")
    points = max(0, min(float(points), check.points))
    return CheckResult(name, points, check.points, feedback)


def judge_run(assignment: str, run: RunResult, seed: int) -> list[CheckResult]:
    return [judge_check(assignment, name, *run.checks.get(name, ("crashed", "no result")), seed)
            for name in CHECKS[assignment]]


def grade_cells(sandbox: Sandbox, assignment: str, cells: list[str], seed: int):
    """(check results, the sandbox's RunResult) for one submission's code cells."""
    run = sandbox.run(cells, assignment, list(CHECKS[assignment]), seed)
    return judge_run(assignment, run, seed), run
