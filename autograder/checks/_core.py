"""What every check shares: the `Check` record, capturing student errors, and comparing arrays.

Harnesses import nothing but NumPy (they run next to student code, where neither torch nor minigrad
may be importable); judges import torch inside their own body.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np


@dataclass(frozen=True)
class Check:
    """One graded behaviour: `harness(namespace, seed) -> data`, `judge(data, seed) -> (points, text)`."""

    assignment: str
    name: str
    points: int
    description: str
    harness: Callable[[Mapping[str, Any], int], Any]
    judge: Callable[[Any, int], "tuple[int, str]"]


def error_record(exc: BaseException) -> dict:
    """An exception raised by student code, as plain data."""
    return {"error": f"{type(exc).__name__}: {exc}"}


def is_error(data: Any) -> bool:
    return isinstance(data, dict) and set(data) == {"error"}


def student(namespace: Mapping[str, Any], name: str) -> Callable:
    """The student's function `name`, or a NameError like the one Python would raise."""
    try:
        return namespace[name]
    except KeyError:
        raise NameError(f"name {name!r} is not defined (run the cell that defines it)") from None


def guarded(case: Callable[[], Any]) -> Any:
    """Run one case of a harness; whatever student code raises comes back as {"error": ...}."""
    try:
        return case()
    except (Exception, SystemExit) as exc:  # SystemExit: a stray exit() must not end grading
        return error_record(exc)


@contextlib.contextmanager
def substituted(namespace: Mapping[str, Any], name: str, replacement: Any):
    """Grade one function with a known-good helper in place, so one mistake costs its points once."""
    if not isinstance(namespace, dict):
        yield
        return
    missing = object()
    saved = namespace.get(name, missing)
    namespace[name] = replacement
    try:
        yield
    finally:
        if saved is missing:
            namespace.pop(name, None)
        else:
            namespace[name] = saved


def as_array(value: Any) -> Any:
    """What the student returned, as a NumPy array copy (or an error record if it cannot be one)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (int, float, np.generic)) and not isinstance(value, bool):
        return np.asarray(value)
    kind = type(value).__name__
    return {"error": f"TypeError: expected a NumPy array, got {kind}"}


def grad_of(tensor: Any) -> Any:
    """A tensor's .grad as plain data: None stays None, arrays are copied."""
    grad = getattr(tensor, "grad", None)
    return None if grad is None else as_array(grad)


def results_for(data: Any, count: int) -> list:
    """A harness's per-case results, which must be a list of `count`: a judge that looped over
    whatever came back would pass an empty list, so anything else is malformed (ValueError)."""
    if not isinstance(data, list) or len(data) != count:
        raise ValueError(f"expected a list of {count} results, got {type(data).__name__}"
                         f" of length {len(data) if hasattr(data, '__len__') else '?'}")
    return data


def describe_error(data: Any) -> str:
    return f"your code raised {data['error']}"


def _broadcasts_to(small: tuple, big: tuple) -> bool:
    try:
        return np.broadcast_shapes(small, big) == tuple(big) and small != tuple(big)
    except ValueError:
        return False


def _value_hint(expected: np.ndarray, got: np.ndarray, rtol: float, atol: float) -> str:
    def close(a, b):
        return np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=False)

    nonzero = np.any(np.abs(expected) > atol)
    if np.isnan(got).any() and not np.isnan(expected).any():
        return " Hint: NaN appeared: a log or division of a non-positive number, or 0 * inf?"
    if nonzero and not np.any(got):
        return (" Hint: all zeros: the gradient never reached this tensor; was it detached, or was"
                " grad mode left off?")
    if nonzero and close(got, 2 * expected):
        return (" Hint: twice the expected value: the gradient was accumulated twice (a node"
                " visited twice, or added on top of an earlier result).")
    if nonzero and close(got, -expected):
        return " Hint: the sign is wrong (negated)."
    if nonzero and close(2 * got, expected):
        return " Hint: half the expected value: a factor 2 is missing (d/dx x**2 = 2 x)."
    return ""


def compare(label: str, expected: Any, got: Any, rtol: float = 1e-7, atol: float = 1e-10) -> str | None:
    """None if `got` matches `expected`; otherwise one paragraph: shape, then dtype, then values."""
    if is_error(got):
        return f"{label}: {describe_error(got)}."
    if expected is None:
        if got is None:
            return None
        return f"{label}: expected None (as torch), got an array of shape {np.shape(got)}."
    expected = np.asarray(expected)
    if got is None:
        return (f"{label}: got None, expected an array of shape {expected.shape}."
                " Hint: the gradient never arrived here; is it stored on every leaf that requires grad?")
    got = np.asarray(got)
    if got.shape != expected.shape:
        text = f"{label}: shape {got.shape}, expected {expected.shape}."
        if _broadcasts_to(expected.shape, got.shape):
            text += (" Hint: a broadcast dimension was not summed back: sum the gradient over the"
                     " dimensions broadcasting added or stretched, so it has the input's shape.")
        elif got.size == expected.size:
            text += " Hint: right number of elements, wrong layout: a missing transpose or reshape?"
        return text
    if got.dtype != expected.dtype:
        text = f"{label}: dtype {got.dtype}, expected {expected.dtype}."
        if not np.issubdtype(got.dtype, np.floating):
            text += " Hint: integer or boolean result: use float arithmetic (multiply masks by 1.0)."
        else:
            text += " Hint: keep the input's dtype (no float32 constants or casts)."
        return text
    if expected.dtype.kind not in "fc":
        bad = got != expected
    else:
        bad = ~np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    if not bad.any():
        return None
    err = np.where(bad, np.abs(np.nan_to_num(got.astype(float), nan=np.inf) - expected), -1.0)
    worst = np.unravel_index(int(np.argmax(err)), expected.shape) if expected.ndim else ()
    text = (f"{label}: {int(bad.sum())} of {expected.size} elements differ (rtol={rtol:g},"
            f" atol={atol:g}); worst at index {tuple(int(i) for i in worst)}: expected"
            f" {expected[worst]!r}, got {got[worst]!r}.")
    if expected.dtype.kind in "fc":
        text += _value_hint(expected, got, rtol, atol)
    return text


def verdict(points: int, failures: list[str], passed: str) -> "tuple[int, str]":
    """All or nothing within a check; the feedback lists the first few failures."""
    failures = [f for f in failures if f]
    if not failures:
        return points, f"{passed} ({points}/{points} points)"
    shown = failures[:4]
    more = f"\n  ... and {len(failures) - 4} more" if len(failures) > 4 else ""
    return 0, f"0/{points} points:\n  " + "\n  ".join(shown) + more


def torch_float64(array: Any, requires_grad: bool = False):
    import torch

    return torch.tensor(np.asarray(array, dtype=np.float64), dtype=torch.float64,
                        requires_grad=requires_grad)


def torch_grad(tensor) -> Any:
    return None if tensor.grad is None else tensor.grad.detach().numpy().copy()
