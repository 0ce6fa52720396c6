"""In-place ops whose new values do not depend on the old ones: fill_, zero_, uniform_, normal_, copy_.

Inside a graph each is a node of its own, as in torch, whose gradient for the old value is zero: nothing
that flowed into the old value matters any more. ``Tensor._inplace`` runs them on a snapshot of the old
value and moves the result into the tensor's storage.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from .._tensor import Tensor
from ._common import broadcast_shapes


class Overwrite(Function):
    """d overwrite(a, values) = 0 da: ``values`` (an array of a's dtype that broadcasts to a's shape)
    replace a's. The subclasses only carry torch's node names."""
    _builtin = True

    @staticmethod
    def forward(ctx, a, values):
        return np.broadcast_to(values, a._data.shape).copy()

    @staticmethod
    def backward(ctx, grad):
        return _zeros_like(grad), None


class Fill(Overwrite):
    """x.fill_(number)"""
    _grad_fn_name = "FillBackward2"


class Zero(Overwrite):
    """x.zero_()"""
    _grad_fn_name = "ZeroBackward0"


class Uniform(Overwrite):
    """x.uniform_(a, b)"""
    _grad_fn_name = "UniformBackward0"


class Normal(Overwrite):
    """x.normal_(mean, std)"""
    _grad_fn_name = "NormalBackward0"


class FillTensor(Function):
    """d fill(a, v) = 0 da + sum(g) dv, for a 0-d tensor v whose value fills a"""
    _grad_fn_name, _builtin = "FillBackward3", True

    @staticmethod
    def forward(ctx, a, value):
        return np.full(a._data.shape, value._data, dtype=a._data.dtype)

    @staticmethod
    def backward(ctx, grad):
        return _zeros_like(grad), grad.sum()


class Copy(Function):
    """d copy(a, src) = 0 da + g dsrc: src (cast to a's dtype, broadcast to its shape) replaces a; the
    engine sums src's gradient back to its shape and casts it to its dtype"""
    _grad_fn_name, _builtin = "CopyBackwards", True

    @staticmethod
    def forward(ctx, a, src):
        # a src that does not broadcast gets torch's error; one that broadcasts to a bigger shape comes
        # back in that shape, which Tensor._inplace refuses with torch's words
        shape = broadcast_shapes(a._data.shape, src._data.shape)
        return np.broadcast_to(src._data.astype(a._data.dtype, copy=False), shape).copy()

    @staticmethod
    def backward(ctx, grad):
        return _zeros_like(grad), grad


def _zeros_like(grad: Tensor) -> Tensor:
    # zeros, not grad * 0: a nan or inf that reached the old value must not come back as nan
    return Tensor._make(np.zeros_like(grad._data))


# torch names the C type in its refusal
_C_TYPES = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
            "float16": "c10::Half", "float32": "float", "float64": "double"}


def fill_value(value, dtype: np.dtype) -> np.ndarray:
    """A Python number as a 0-d array of ``dtype``, refused as torch refuses a number that does not fit."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        low = -int(info.max) if dtype.kind == "u" else int(info.min)  # torch lets a negative wrap into unsigned
        fits = value == value and low <= value <= info.max  # (nan != nan)
    elif dtype.kind == "f":
        fits = not (math.isfinite(value) and abs(value) > float(np.finfo(dtype).max))  # inf itself is fine
    else:
        fits = True
    if not fits:
        raise RuntimeError(
            f"value cannot be converted to type {_C_TYPES[dtype.name]} without overflow. The tensor's dtype "
            "cannot hold this number; pick a wider dtype or a smaller value."
        )
    return np.asarray(value).astype(dtype)


def check_fill_tensor(value: Tensor) -> None:
    if value.ndim:
        raise RuntimeError(
            f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} dimensions. "
            "fill_ writes one value everywhere; to write a tensor's values, use copy_."
        )
