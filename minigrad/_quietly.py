"""``quietly(ufunc, a, b)``: NumPy arithmetic without NumPy's warnings, as torch computes (inf and nan, silently).

Its own module, with no minigrad imports, because both the ops and the backward engine need it.

Every ufunc here gets ``out=...`` (NumPy >= 2.1): a ufunc of 0-d arrays then returns the 0-d array
itself, not a NumPy scalar that every op would have to turn back into an array for its tensor.
The arguments are spelled out rather than passed on as ``*args``: forwarding ``*args`` together with
a keyword costs more than the arithmetic on a small tensor.
"""
from __future__ import annotations

import contextvars

import numpy as np

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
            with np.errstate(all="ignore"):  # another thread is in the silent context (see silently)
                return ufunc(a, out=...) if b is None else ufunc(a, b, out=...)

except ImportError:  # a NumPy that keeps its error state elsewhere: the public way

    def silently(fn, a, b):
        """``fn(a, b)`` (any callable, e.g. a vjp) without NumPy's overflow/invalid/divide warnings."""
        with np.errstate(all="ignore"):
            return fn(a, b)

    def quietly(ufunc, a, b=None):
        """``ufunc(a)`` or ``ufunc(a, b)`` without NumPy's overflow/invalid/divide warnings: torch gives inf
        and nan silently."""
        with np.errstate(all="ignore"):
            return ufunc(a, out=...) if b is None else ufunc(a, b, out=...)
