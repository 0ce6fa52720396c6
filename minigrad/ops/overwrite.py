"""In-place ops whose new values do not depend on the old ones: fill_, zero_, uniform_, normal_, copy_.

Inside a graph each is a node of its own, as in torch, whose gradient for the old value is zero: nothing
that flowed into the old value matters any more. ``Tensor._inplace`` runs them on a snapshot of the old
value and moves the result into the tensor's storage.
"""
from __future__ import annotations

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
        if value._data.ndim:
            raise RuntimeError(
                f"fill_ only supports 0-dimension value tensor but got tensor with {value._data.ndim} "
                "dimensions. fill_ writes one value everywhere; to write a tensor's values, use copy_."
            )
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


def fill_value(value, like: Tensor) -> np.ndarray:
    """A Python number as a 0-d array of like's dtype, refused as torch.full refuses a number that does
    not fit (torch's checked_convert, as fill_ does)."""
    from .._factories import full

    return full((), value, dtype=like.dtype)._data
