"""``quietly(ufunc, ...)``: NumPy arithmetic without NumPy's warnings, as torch computes (inf and nan, silently).

Its own module, with no minigrad imports, because both the ops and the backward engine need it.
"""
from __future__ import annotations

import contextvars

import numpy as np

# A ufunc of 0-d arrays returns a NumPy scalar, which every op would have to turn back into a 0-d array
# for its tensor; ``out=...`` (NumPy >= 2.1) makes it return the array itself.
try:
    np.add(np.float64(0), 0, out=...)
    _AS_ARRAY = {"out": ...}
except (TypeError, ValueError):
    _AS_ARRAY = {}

try:
    # NumPy 2 keeps its floating-point error state in a context variable. Running the ufunc inside a
    # context in which that variable says "ignore" is cheap; ``with np.errstate(...)`` builds that state
    # on every entry (~3 us, more than the arithmetic itself on small tensors).
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj

    _silent = contextvars.Context()
    _silent.run(_extobj_contextvar.set, _make_extobj(all="ignore"))
    _run_silently = _silent.run

    def silently(fn, *args):
        """``fn(*args)`` (any callable, e.g. a whole vjp) without NumPy's overflow/invalid/divide warnings."""
        try:
            return _run_silently(fn, *args)
        except RuntimeError:
            # a context is entered by one thread at a time: another thread is in it, take the public way
            with np.errstate(all="ignore"):
                return fn(*args)

    def quietly(ufunc, *arrays):
        """``ufunc(*arrays)`` without NumPy's overflow/invalid/divide warnings: torch gives inf and nan silently."""
        try:
            return _run_silently(ufunc, *arrays, **_AS_ARRAY)
        except RuntimeError:
            with np.errstate(all="ignore"):  # another thread is in the silent context (see silently)
                return ufunc(*arrays, **_AS_ARRAY)

except ImportError:  # NumPy 1.x: the public way

    def silently(fn, *args):
        """``fn(*args)`` (any callable, e.g. a whole vjp) without NumPy's overflow/invalid/divide warnings."""
        with np.errstate(all="ignore"):
            return fn(*args)

    def quietly(ufunc, *arrays):
        """``ufunc(*arrays)`` without NumPy's overflow/invalid/divide warnings: torch gives inf and nan silently."""
        with np.errstate(all="ignore"):
            return ufunc(*arrays, **_AS_ARRAY)
