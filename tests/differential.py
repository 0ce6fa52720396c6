"""Run one scenario on minigrad and on torch, and compare everything a learner could observe.

A scenario is a function ``f(lib)`` that uses only the torch API through ``lib`` and returns what it
wants compared: tensors, numbers, booleans, strings, None, or (nested) tuples/lists/dicts of those.
If it raises, the exception class and message are compared instead (minigrad's message must start
with torch's, after ``normalise``); warnings it emits are compared the same way.
"""
from __future__ import annotations

import warnings

import numpy as np

import minigrad

from tests.conftest import normalise


class Raised:
    def __init__(self, exc: BaseException):
        self.cls = type(exc).__name__
        self.message = normalise(str(exc))

    def __repr__(self) -> str:
        return f"{self.cls}({self.message!r})"


def _observe(value, lib):
    """Turn a result into plain data: tensors become a dict of their observable properties."""
    if isinstance(value, lib.Tensor):
        with lib.no_grad():
            data = value.detach().numpy().copy() if value.requires_grad else value.numpy().copy()
        return {
            "tensor": data,
            "dtype": normalise(value.dtype),
            "shape": tuple(value.shape),
            "requires_grad": value.requires_grad,
            "is_leaf": value.is_leaf,
            "grad_fn": None if value.grad_fn is None else value.grad_fn.name(),
        }
    if isinstance(value, (list, tuple)):
        return type(value)(_observe(v, lib) for v in value)
    if isinstance(value, dict):
        return {k: _observe(v, lib) for k, v in value.items()}
    if isinstance(value, lib.dtype):
        return normalise(value)
    if isinstance(value, BaseException):
        return Raised(value)
    return value


def capture(fn, lib):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = _observe(fn(lib), lib)
        except Exception as exc:  # noqa: BLE001 - the exception is the observation
            result = Raised(exc)
    messages = [(w.category.__name__, normalise(str(w.message))) for w in caught
                if "minigrad" in w.filename or "torch" in w.filename or "test" in w.filename]
    return result, messages


def assert_same(mine, theirs, path="result", *, rtol=1e-5, atol=1e-6, compare_grad_fn=True):
    if isinstance(theirs, Raised):
        assert isinstance(mine, Raised), f"{path}: torch raised {theirs!r}, minigrad returned {mine!r}"
        assert mine.cls == theirs.cls, f"{path}: exception class {mine.cls} != torch's {theirs.cls}"
        assert mine.message.startswith(theirs.message), (
            f"{path}: message differs\n minigrad: {mine.message}\n torch:    {theirs.message}"
        )
        return
    assert not isinstance(mine, Raised), f"{path}: minigrad raised {mine!r}, torch returned {theirs!r}"
    if isinstance(theirs, dict) and "tensor" in theirs:
        assert isinstance(mine, dict) and "tensor" in mine, f"{path}: expected a tensor, got {mine!r}"
        for key in ("dtype", "shape", "requires_grad", "is_leaf"):
            assert mine[key] == theirs[key], f"{path}.{key}: {mine[key]!r} != torch's {theirs[key]!r}"
        if compare_grad_fn:
            assert mine["grad_fn"] == theirs["grad_fn"], (
                f"{path}.grad_fn: {mine['grad_fn']!r} != torch's {theirs['grad_fn']!r}"
            )
        else:
            assert (mine["grad_fn"] is None) == (theirs["grad_fn"] is None), f"{path}: grad_fn None-ness"
        np.testing.assert_allclose(mine["tensor"], theirs["tensor"], rtol=rtol, atol=atol,
                                   err_msg=f"{path}: values", equal_nan=True)
        return
    if isinstance(theirs, (list, tuple)):
        assert isinstance(mine, (list, tuple)) and len(mine) == len(theirs), f"{path}: {mine!r} vs {theirs!r}"
        for i, (m, t) in enumerate(zip(mine, theirs)):
            assert_same(m, t, f"{path}[{i}]", rtol=rtol, atol=atol, compare_grad_fn=compare_grad_fn)
        return
    if isinstance(theirs, dict):
        assert isinstance(mine, dict) and mine.keys() == theirs.keys(), f"{path}: keys {mine!r} vs {theirs!r}"
        for k in theirs:
            assert_same(mine[k], theirs[k], f"{path}[{k!r}]", rtol=rtol, atol=atol, compare_grad_fn=compare_grad_fn)
        return
    if isinstance(theirs, float) and isinstance(mine, float):
        assert np.isclose(mine, theirs, rtol=rtol, atol=atol, equal_nan=True), f"{path}: {mine} != {theirs}"
        return
    if isinstance(theirs, str):
        assert normalise(mine) == normalise(theirs), f"{path}:\n minigrad: {mine}\n torch:    {theirs}"
        return
    assert mine == theirs, f"{path}: {mine!r} != torch's {theirs!r}"


def check(fn, *, warnings_too=True, **tolerances):
    """Run ``fn`` on both engines and assert that everything observable is the same."""
    import torch

    mine, my_warnings = capture(fn, minigrad)
    theirs, their_warnings = capture(fn, torch)
    assert_same(mine, theirs, **tolerances)
    if warnings_too:
        assert len(my_warnings) == len(their_warnings), (
            f"warnings differ:\n minigrad: {my_warnings}\n torch:    {their_warnings}"
        )
        for (mc, mm), (tc, tm) in zip(my_warnings, their_warnings):
            assert mc == tc and mm.startswith(tm.split(" (Triggered internally")[0]), (
                f"warning differs:\n minigrad: {mc}: {mm}\n torch:    {tc}: {tm}"
            )
    return mine
