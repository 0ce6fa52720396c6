"""``quietly(ufunc, a, b)``: NumPy arithmetic as torch does it: inf and nan without NumPy's warnings, and
torch's error for shapes that do not broadcast.

Its own module, with no minigrad imports, because both the ops and the backward engine need it.

Every ufunc here gets ``out=...`` (NumPy >= 2.1): a ufunc of 0-d arrays then returns the 0-d array
itself, not a NumPy scalar that every op would have to turn back into an array for its tensor.
The arguments are spelled out rather than passed on as ``*args``: forwarding ``*args`` together with
a keyword costs more than the arithmetic on a small tensor.
"""
from __future__ import annotations

import contextvars
import operator

import numpy as np

# NumPy's own arithmetic on scalars, for 0-d arrays (the tutorials' loops): a ufunc call on a 0-d array
# costs 3-5 times as much, and the scalars keep the dtype as well
SCALAR_OPS = {np.add: operator.add, np.subtract: operator.sub, np.multiply: operator.mul,
              np.true_divide: operator.truediv}


def broadcast_shapes(*shapes) -> tuple:
    """np.broadcast_shapes with torch's error text."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        a, b = shapes[0], shapes[1]
        n = max(len(a), len(b))
        pa, pb = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
        for i in range(n - 1, -1, -1):
            if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
                raise RuntimeError(
                    f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) at "
                    f"non-singleton dimension {i}. Broadcasting lines shapes up from the right; each "
                    "pair of sizes must be equal or one of them 1."
                ) from None
        raise


def _explain(a, b) -> None:
    """After NumPy's ValueError from ``ufunc(a, b)``: torch's RuntimeError if the shapes do not broadcast.

    NumPy checks the shapes anyway while it computes; checking them again beforehand, in Python, would
    cost more than adding a bias to a small batch."""
    if b is not None:
        broadcast_shapes(np.shape(a), np.shape(b))


def _reduce_in_errstate(ufunc, x, axis, dtype, keepdims):
    with np.errstate(all="ignore"):
        return ufunc.reduce(x, axis=axis, dtype=dtype, out=..., keepdims=keepdims)


def _in_place_in_errstate(ufunc, target, b):
    with np.errstate(all="ignore"):
        return ufunc(target, b, out=target, casting="unsafe")


def _quietly_in_errstate(ufunc, a, b=None):
    with np.errstate(all="ignore"):
        try:
            return ufunc(a, out=...) if b is None else ufunc(a, b, out=...)
        except ValueError:
            _explain(a, b)
            raise


try:
    # NumPy 2 keeps its floating-point error state in a context variable. Running the ufunc inside a
    # context in which that variable says "ignore" is cheap; ``with np.errstate(...)`` builds that state
    # on every entry (~3 us, more than the arithmetic itself on small tensors).
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj

    _silent = contextvars.Context()
    _silent.run(_extobj_contextvar.set, _make_extobj(all="ignore"))
    _run_silently = _silent.run

    def silently(fn, a, b):
        """``fn(a, b)`` (any callable, e.g. a vjp) without NumPy's overflow/invalid/divide warnings."""
        try:
            return _run_silently(fn, a, b)
        except RuntimeError:
            # a context is entered by one thread at a time: another thread is in it, take the public way
            with np.errstate(all="ignore"):
                return fn(a, b)

    def quietly(ufunc, a, b=None):
        """``ufunc(a)`` or ``ufunc(a, b)`` without NumPy's overflow/invalid/divide warnings: torch gives inf
        and nan silently."""
        try:
            if b is None:
                return _run_silently(ufunc, a, out=...)
            return _run_silently(ufunc, a, b, out=...)
        except RuntimeError:
            return _quietly_in_errstate(ufunc, a, b)  # another thread is in the silent context (see silently)
        except ValueError:
            _explain(a, b)
            raise

    def quietly_on_0d(ufunc, x, c):
        """``quietly(ufunc, x, c)`` for a 0-d array x and a number c, with NumPy's scalar arithmetic."""
        try:
            return np.asarray(_run_silently(SCALAR_OPS[ufunc], x[()], c))
        except RuntimeError:  # another thread is in the silent context (see silently)
            with np.errstate(all="ignore"):
                return np.asarray(SCALAR_OPS[ufunc](x[()], c))

    def quietly_in_place(ufunc, target, b):
        """``ufunc(target, b, out=target)`` (``target += b``, ``p -= lr * g``) without NumPy's warnings:
        an update or a gradient that overflows becomes inf silently, as in torch. b is cast to target's
        dtype, as torch's in-place ops cast. NumPy's ValueError for shapes that do not fit passes through."""
        try:
            return _run_silently(ufunc, target, b, out=target, casting="unsafe")
        except RuntimeError:
            return _in_place_in_errstate(ufunc, target, b)  # another thread is in the context (see silently)

    def quietly_reduce(ufunc, x, axis, dtype=None, keepdims=False):
        """``ufunc.reduce(x, axis)`` without NumPy's warnings (a float32 sum may overflow to inf, as in
        torch), as an array even when it reduces every dim."""
        try:
            return _run_silently(ufunc.reduce, x, axis=axis, dtype=dtype, out=..., keepdims=keepdims)
        except RuntimeError:
            return _reduce_in_errstate(ufunc, x, axis, dtype, keepdims)  # another thread is in the context

except ImportError:  # a NumPy that keeps its error state elsewhere: the public way

    def silently(fn, a, b):
        """``fn(a, b)`` (any callable, e.g. a vjp) without NumPy's overflow/invalid/divide warnings."""
        with np.errstate(all="ignore"):
            return fn(a, b)

    quietly, quietly_reduce, quietly_in_place = _quietly_in_errstate, _reduce_in_errstate, _in_place_in_errstate

    def quietly_on_0d(ufunc, x, c):
        """``quietly(ufunc, x, c)`` for a 0-d array x and a number c, with NumPy's scalar arithmetic."""
        with np.errstate(all="ignore"):
            return np.asarray(SCALAR_OPS[ufunc](x[()], c))
