"""Helpers every op shares: turning Python numbers into tensors, type promotion, dim checks."""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype
from .._quietly import broadcast_shapes, quietly, quietly_on_0d  # noqa: F401 - every op takes them from here
from .._tensor import Tensor


def wrap_dim(dim: int, ndim: int) -> int:
    """A possibly negative dim, checked and made positive, with torch's IndexError."""
    lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if not lo <= dim <= hi:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim}). A tensor with "
            f"{max(ndim, 1)} dim(s) numbers them 0 to {max(ndim, 1) - 1}, or -1 for the last, counting back."
        )
    return dim % max(ndim, 1)


def wrap_dims(dim, ndim: int) -> tuple:
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    out = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(out)) != len(out):
        repeated = next(d for d in out if out.count(d) > 1)
        raise RuntimeError(f"dim {repeated} appears multiple times in the list of dims. Each dim can be "
                           "reduced only once; a negative dim may name the same dim as a positive one.")
    return out


def is_number(x) -> bool:
    return isinstance(x, (numbers.Number, np.bool_)) and not isinstance(x, Tensor)


_PLAIN_NUMBERS = (float, int)


def as_tensor_like(x, like: Tensor) -> Tensor:
    """A Python number next to a tensor becomes a constant tensor of the dtype torch would pick."""
    if isinstance(x, Tensor):
        return x
    if type(x) in _PLAIN_NUMBERS and like._data.dtype.kind == "f":
        # the common case, x * 2.5 for a float tensor: the tensor's dtype wins, nothing to work out
        return Tensor._make(np.array(x, dtype=like._data.dtype))
    if is_number(x):
        d = _dtype.result_type((like._data.ndim or 0, _dtype.from_numpy(like._data.dtype)),
                               (-1, _dtype.scalar_dtype(x)))
        # astype, not asarray(dtype=): -1 next to a uint8 tensor wraps to 255, as in torch
        return Tensor._make(np.asarray(x).astype(d.np))
    if isinstance(x, (list, tuple, np.ndarray)):
        from .._creation import tensor

        return tensor(x)
    raise TypeError(
        f"unsupported operand type: Tensor and {type(x).__name__}. Operands must be tensors or numbers."
    )


def binary_operands(a, b) -> tuple[Tensor, Tensor]:
    """Both operands as tensors; the Python number on either side takes the other side's dtype rule."""
    if isinstance(a, Tensor):
        return a, (b if isinstance(b, Tensor) else as_tensor_like(b, a))
    return as_tensor_like(a, b), b


def common_arrays(a: Tensor, b: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """The two arrays cast to torch's result dtype (NumPy's own promotion rules differ)."""
    x, y = a._data, b._data
    if x.dtype == y.dtype:
        return x, y
    d = result_dtype(a, b).np
    return x.astype(d, copy=False), y.astype(d, copy=False)


def operand_arrays(a: Tensor, b: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """common_arrays, for operands that go to ``quietly``: it gives torch's error if the shapes do not
    broadcast. Operands of the same dtype skip common_arrays' call."""
    x, y = a._data, b._data
    if x.dtype != y.dtype:
        x, y = common_arrays(a, b)
    return x, y


def result_dtype(*tensors: Tensor) -> _dtype.dtype:
    return _dtype.result_type(*((t._data.ndim, _dtype.from_numpy(t._data.dtype)) for t in tensors))


def float_arrays(a: Tensor, b: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """For true division: integers are promoted to the default float, as in torch."""
    x, y = common_arrays(a, b)
    if x.dtype.kind not in "fc":
        d = _dtype.get_default_dtype().np
        return x.astype(d), y.astype(d)
    return x, y


def float_array(a: Tensor) -> np.ndarray:
    """exp, log, sqrt ... of an integer tensor give the default float dtype."""
    x = a._data
    if x.dtype.kind not in "fc":
        return x.astype(_dtype.get_default_dtype().np)
    return x


def check_rounded_division(x: np.ndarray, y: np.ndarray, mode: str) -> None:
    """torch's refusals for a quotient rounded to an integer ('floor' or 'trunc'), x and y in their
    common dtype: none of bools, and none of integers by zero (no integer is the answer)."""
    if x.dtype.kind == "b":
        raise NotImplementedError(f"\"div_{mode}_cpu\" not implemented for 'Bool'. True and False have no "
                                  "quotient; convert with .long() first.")
    if x.dtype.kind in "iu" and (y == 0).any():
        raise RuntimeError("ZeroDivisionError. Integers have no infinity to give for a division by zero; "
                           "convert with .float() first if you want inf.")


def check_broadcast(x: np.ndarray, y: np.ndarray) -> None:
    # a 0-d operand always broadcasts: skip the (slow) shape check for the most common case, x * 2
    if x.shape != y.shape and x.ndim and y.ndim:
        if x.shape[x.ndim - y.ndim:] == y.shape or y.shape[y.ndim - x.ndim:] == x.shape:
            return  # one shape ends the other (a bias, x @ W + b): that always broadcasts
        broadcast_shapes(x.shape, y.shape)
