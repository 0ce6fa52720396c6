"""dtypes and torch's type-promotion rules, on top of NumPy's dtypes.

NumPy and torch disagree on promotion (``int64 array * 2.5`` is float64 in NumPy, float32 in torch),
so minigrad decides result dtypes itself, here, and NumPy only computes.
"""
from __future__ import annotations

import numpy as np


class dtype:
    """A tensor element type, printed like torch's (``minigrad.float32``)."""

    __slots__ = ("name", "np", "is_floating_point", "itemsize", "_rank", "_kind")

    def __init__(self, name: str, np_dtype, kind: int, rank: int):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.is_floating_point = kind == FLOAT
        self._kind = kind  # BOOL < INT < FLOAT: the category that decides promotion
        self._rank = rank  # order inside a category

    def __repr__(self) -> str:
        return f"minigrad.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


BOOL, INT, FLOAT = 0, 1, 2

bool_ = dtype("bool", np.bool_, BOOL, 0)
uint8 = dtype("uint8", np.uint8, INT, 0)
int8 = dtype("int8", np.int8, INT, 1)
int16 = dtype("int16", np.int16, INT, 2)
int32 = dtype("int32", np.int32, INT, 3)
int64 = dtype("int64", np.int64, INT, 4)
float16 = dtype("float16", np.float16, FLOAT, 0)
float32 = dtype("float32", np.float32, FLOAT, 1)
float64 = dtype("float64", np.float64, FLOAT, 2)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_FROM_NUMPY = {d.np: d for d in ALL}


def _by_name(name: str) -> dtype:
    return next(d for d in ALL if d.name == name)


_default_float = float32


def get_default_dtype() -> dtype:
    return _default_float


def set_default_dtype(d: dtype) -> None:
    global _default_float
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d!r}")
    _default_float = d


def from_numpy(np_dtype) -> dtype:
    try:
        return _FROM_NUMPY[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def to_dtype(d) -> dtype:
    """Accept a minigrad dtype, a NumPy dtype or a Python type (``float`` -> default float)."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return _default_float
    if d is int:
        return int64
    if d is bool:
        return bool_
    try:
        return from_numpy(d)
    except TypeError:
        raise TypeError(f"dtype must be a minigrad dtype such as minigrad.float32, got {d!r}") from None


def _higher(a: dtype, b: dtype) -> dtype:
    return a if (a._kind, a._rank) >= (b._kind, b._rank) else b


def scalar_dtype(value) -> dtype:
    """The dtype torch gives a Python number when it meets a tensor."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    return _default_float


def _promote_types(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return _higher(a, b)


def _combine(higher, lower):
    """A group of operands of higher priority decides, unless the lower group is of a higher category."""
    if higher is not None and higher._kind == FLOAT:
        return higher
    if higher is bool_ or (lower is not None and lower._kind == FLOAT):
        return _promote_types(higher, lower)
    return higher if higher is not None else lower


def result_type(*operands) -> dtype:
    """torch.result_type over ``(ndim, dtype)`` pairs; ``ndim`` is -1 for a Python number.

    Tensors with dimensions outrank 0-d tensors, which outrank Python numbers, except when a
    lower-ranked operand is of a higher category (bool < integer < floating point).
    """
    dim = zero = wrapped = None
    for ndim, d in operands:
        if ndim > 0:
            dim = _promote_types(dim, d)
        elif ndim == 0:
            zero = _promote_types(zero, d)
        else:
            wrapped = _promote_types(wrapped, d)
    return _combine(dim, _combine(zero, wrapped))
