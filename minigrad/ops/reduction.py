"""Reductions: sum, mean, max/min, var, norm, logsumexp, and the softmax family that is built on them."""
from __future__ import annotations

import builtins
import math
import warnings
from collections import namedtuple

import numpy as np

from .. import _dtype
from .._quietly import quietly, quietly_reduce
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import float_array, wrap_dim, wrap_dims
from .pointwise import where

# what max(dim) and min(dim) return; torch's types are torch.return_types.max / .min
_RETURN_TYPES = {name: namedtuple(name, ["values", "indices"]) for name in ("max", "min")}


def _kept_shape(shape, dims) -> tuple:
    """The shape the reduced result has with keepdim=True: ready to broadcast against the input."""
    if len(dims) == len(shape):  # all of them (x.sum(), x.mean())
        return (1,) * len(shape)
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _all_dims(a: Tensor, dim) -> tuple:
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(a.ndim))
    dims = wrap_dims(dim, a.ndim)
    return dims if a.ndim else ()  # a 0-d tensor accepts dim 0 or -1, and has no axis to reduce


class Sum(Function):
    """d sum(a) = 1 for every element: the gradient is copied back (broadcast) to a's shape"""
    _grad_fn_name, _builtin = "SumBackward1", True

    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        ctx.shape, ctx.kept = a.shape, _kept_shape(a.shape, dims)
        # sum(dtype=...) sums in that dtype, as torch: no cast of its own in the graph (the engine casts
        # the gradient back to a's dtype); integers sum in int64 unless told otherwise
        x = a._data if dtype is None else a._data.astype(dtype, copy=False)
        if dtype is None and x.dtype.kind in "iub":
            dtype = np.int64
        return quietly_reduce(np.add, x, dims, dtype, keepdim)  # an overflow is inf, as in torch: no warning

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.kept).expand(ctx.shape), None, None, None

    @staticmethod
    def vjp(ctx, grad):
        return np.broadcast_to(grad.reshape(ctx.kept), ctx.shape), None, None, None


class SumAll(Sum):
    _grad_fn_name = "SumBackward0"


class Mean(Function):
    """d mean(a) = 1/n for every element"""
    _grad_fn_name, _builtin = "MeanBackward1", True

    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        # mean(dtype=...) means in that dtype, as torch: no cast of its own in the graph (the engine
        # casts the gradient back to a's dtype)
        x = a._data if dtype is None else a._data.astype(dtype, copy=False)
        if x.dtype.kind not in "fc":
            raise RuntimeError(
                f"mean(): could not infer output dtype. {'Input' if dtype is None else 'Optional'} dtype must be "
                f"either a floating point or complex dtype. Got: {_dtype.SCALAR_NAMES[x.dtype.name]}. "
                + ("Convert with .float() first" if dtype is None else "Ask for a floating point dtype")
                + ": an average of integers is not an integer."
            )
        ctx.shape, ctx.kept = x.shape, _kept_shape(x.shape, dims)
        ctx.count = count = x.size if len(dims) == x.ndim else math.prod([x.shape[d] for d in dims])
        # the sum (float16 in float32), divided by the count in the sum's dtype, as torch does; np.mean
        # would divide in float64, through Python wrappers that cost more than a small tensor's sum
        total = quietly_reduce(np.add, x, dims, np.float32 if x.dtype.char == "e" else None, keepdim)  # (e: float16)
        mean = quietly(np.true_divide, total, count)  # 0/0 is nan, as in torch: no warning
        return mean.astype(np.float16) if x.dtype.char == "e" else mean

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.kept).expand(ctx.shape) / ctx.count, None, None, None

    @staticmethod
    def vjp(ctx, grad):
        # divide the one value per kept element first, then fill: the same numbers, no broadcast view
        return np.full(ctx.shape, grad.reshape(ctx.kept) / ctx.count), None, None, None


class MeanAll(Mean):
    _grad_fn_name = "MeanBackward0"


class MaxAll(Function):
    """d max(a): the gradient is shared evenly among the elements equal to the maximum"""
    _grad_fn_name, _builtin, saves_result = "MaxBackward1", True, True

    @staticmethod
    def forward(ctx, a):
        _check_not_empty(a, "max")
        ctx.save_for_backward(a)
        return np.max(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        hits = a == ctx.result
        return grad * hits / hits.sum()


class MinAll(MaxAll):
    """d min(a): the gradient is shared evenly among the elements equal to the minimum"""
    _grad_fn_name = "MinBackward1"

    @staticmethod
    def forward(ctx, a):
        _check_not_empty(a, "min")
        ctx.save_for_backward(a)
        return np.min(a._data)


class Amax(Function):
    """d amax(a): the gradient is shared evenly among the elements equal to the maximum"""
    _grad_fn_name, _builtin, saves_result = "AmaxBackward0", True, True

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.save_for_backward(a)
        ctx.dims, ctx.kept = dims, _kept_shape(a.shape, dims)
        return np.max(a._data, axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        hits = a == ctx.result.reshape(ctx.kept)
        return grad.reshape(ctx.kept) * hits / hits.sum(ctx.dims, keepdim=True), None, None


class LinalgVectorNorm(Function):
    """d ||a||_p = sign(a) |a|^(p-1) / ||a||^(p-1): a / ||a|| for p = 2, sign(a) for p = 1; for p = +-inf,
    sign(a) shared evenly among the entries of largest (smallest) |a|; none for p = 0 (a count). 0 where
    the norm is 0, and, for p < 1, at entries that are 0 (|a|^(p-1) is infinite there)."""
    _grad_fn_name, _builtin, saves_result = "LinalgVectorNormBackward0", True, True

    @staticmethod
    def forward(ctx, a, p, dims, keepdim):
        ctx.save_for_backward(a)
        ctx.p, ctx.dims, ctx.kept = p, dims, _kept_shape(a.shape, dims)
        x = a._data
        with np.errstate(all="ignore"):  # squares past the dtype's range give inf, as in torch
            if p == 2:
                return np.sqrt(np.sum(x * x, axis=dims, keepdims=keepdim))
            if p == math.inf:
                return np.max(np.abs(x), axis=dims, keepdims=keepdim)
            if p == -math.inf:
                return np.min(np.abs(x), axis=dims, keepdims=keepdim)
            if p == 0:
                return np.sum(x != 0, axis=dims, keepdims=keepdim).astype(x.dtype)
            return np.sum(np.abs(x) ** p, axis=dims, keepdims=keepdim) ** (1 / p)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        p, norm, grad = ctx.p, ctx.result.reshape(ctx.kept), grad.reshape(ctx.kept)
        if p == 0:  # a count of non-zero entries: no gradient, as in torch
            return None, None, None, None
        if p == 1:
            return grad * a.sign(), None, None, None
        if builtins.abs(p) == math.inf:
            hits = a.abs() == norm
            return grad * a.sign() * hits / hits.sum(ctx.dims, keepdim=True), None, None, None
        slope = a / norm if p == 2 else a.sign() * (a.abs() / norm) ** (p - 1)
        if p < 1:
            slope = where(a == 0, 0.0, slope)
        return grad * where(norm == 0, 0.0, slope), None, None, None


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The p-norm of the entries (over ``dim`` if given): (sum |x|^p)^(1/p); "fro" is p = 2, inf the
    largest |x|, 0 the number of non-zero entries. Matrix norms other than "fro" are not computed."""
    if isinstance(p, str):
        if p == "nuc":
            raise NotImplementedError(
                "minigrad does not compute the nuclear norm: it needs the singular values (an SVD). "
                "Use p='fro' or a number p for a vector norm.")
        if p != "fro":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported. "
                               "Give p as 'fro' or as a number (2, 1, inf, ...).")
        p = 2
    name = _dtype.SCALAR_NAMES[input._data.dtype.name]
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {name}. "
            "A norm is a real number: convert the tensor with .float() first.")
    if dtype is not None:
        if np.promote_types(input._data.dtype, dtype.np) != dtype.np:
            raise RuntimeError(
                f"linalg.vector_norm: the dtype of the input ({name}) should be convertible without "
                f"narrowing to the specified dtype ({_dtype.SCALAR_NAMES[dtype.np.name]}). "
                "A norm can be computed in a wider dtype, not a narrower one.")
        input = input.to(dtype)
    dims = _all_dims(input, dim)
    p = float(p)
    if builtins.abs(p) == math.inf and input._data.size == 0:
        _refuse_empty_extreme(input, p, dim)
    return LinalgVectorNorm.apply(input, p, dims, keepdim)


def _refuse_empty_extreme(input, p, dim):
    """torch's errors for the largest or smallest |x| over no entries (there is none), named by the
    tensor or by the first empty dim reduced, as the caller gave it."""
    why = " The largest or smallest |x| of no entries does not exist."
    named = (dim,) if isinstance(dim, int) else tuple(dim or ())
    if not named:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {p:g} norm on an empty tensor because "
                           "the operation does not have an identity." + why)
    for d in named:
        if input.shape[d] == 0:
            # (torch's message has no space after the dim)
            raise RuntimeError(f"linalg.vector_norm cannot compute the {p:g} norm on the dimension {d}"
                               "because this dimension is empty and the operation does not have an "
                               "identity." + why)


def _check_not_empty(a, name):
    if a._data.size == 0:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
            "reduction dim with the 'dim' argument. An empty tensor has no largest or smallest element."
        )


class Gather(Function):
    """Pick one element along ``dim`` at ``indices`` (max/min with a dim): the gradient goes back there."""
    _grad_fn_name, _builtin = "MaxBackward0", True

    @staticmethod
    def forward(ctx, a, indices, dim, keepdim):
        ctx.shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        ctx.indices = indices
        ctx.save_for_backward()  # torch saves the indices (a tensor): backward frees them
        if a.ndim == 0:  # max(0) of a 0-d tensor is the tensor itself
            return a._data.copy()
        out = np.take_along_axis(a._data, np.expand_dims(indices, dim), axis=dim)
        return out if keepdim else np.squeeze(out, dim)

    @staticmethod
    def backward(ctx, grad):
        ctx.check_not_freed()
        return Scatter.apply(grad, ctx.indices, ctx.dim, ctx.keepdim, ctx.shape), None, None, None


class GatherMin(Gather):
    _grad_fn_name = "MinBackward0"


class Scatter(Function):
    """The adjoint of Gather: place the gradient at the picked positions, zeros elsewhere."""
    _grad_fn_name, _builtin = "ScatterBackward0", True

    @staticmethod
    def forward(ctx, grad, indices, dim, keepdim, shape):
        ctx.indices, ctx.dim, ctx.keepdim = indices, dim, keepdim
        if not shape:
            return grad._data.copy()
        out = np.zeros(shape, dtype=grad._data.dtype)
        g = grad._data if keepdim else np.expand_dims(grad._data, dim)
        np.put_along_axis(out, np.expand_dims(indices, dim), g, axis=dim)
        return out

    @staticmethod
    def backward(ctx, grad):
        return Gather.apply(grad, ctx.indices, ctx.dim, ctx.keepdim), None, None, None, None


class Var(Function):
    """d var(a) = 2 (a - mean(a)) / (n - correction)"""
    _grad_fn_name, _builtin = "VarBackward0", True

    @staticmethod
    def forward(ctx, a, dims, correction, keepdim, whole):
        return _var_forward(ctx, a, dims, correction, keepdim, whole)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return _var_backward(ctx, grad, a), None, None, None, None


class Std(Var):
    """d std(a) = d var(a) / (2 std(a)), and 0 where std(a) = 0"""
    _grad_fn_name, saves_result = "StdBackward0", True

    @staticmethod
    def forward(ctx, a, dims, correction, keepdim, whole):
        return _var_forward(ctx, a, dims, correction, keepdim, whole, root=True)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        s = ctx.result
        zero = s == 0
        g = _var_backward(ctx, grad / (2 * s), a)
        return where(zero.reshape(ctx.kept), 0.0, g), None, None, None, None


def _var_forward(ctx, a, dims, correction, keepdim, whole, root=False):
    """Var's forward, and with ``root`` Std's: computed in float64, as torch accumulates on the CPU (the
    std of float32 values near 3e38 fits in float32 though their squares do not), then cast back."""
    x = float_array(a)
    ctx.save_for_backward(a)
    ctx.dims, ctx.kept, ctx.correction, ctx.whole = dims, _kept_shape(a.shape, dims), correction, whole
    n = int(np.prod([x.shape[d] for d in dims])) if dims else 1
    wide = x.astype(np.float64, copy=False)
    with np.errstate(all="ignore"):  # a var too big for float32 becomes inf when cast back, as in torch
        # fewer elements than the correction: torch divides by 0 (inf or nan), never by a negative
        total = np.sum((wide - np.mean(wide, axis=dims, keepdims=True)) ** 2, axis=dims, keepdims=keepdim)
        var = total / builtins.max(n - correction, 0)
        return (np.sqrt(var) if root else var).astype(x.dtype, copy=False)


def _var_backward(ctx, grad, a):
    """torch's formula, including what it does when there are no degrees of freedom left."""
    n = int(np.prod([a.shape[d] for d in ctx.dims])) if ctx.dims else 1
    dof = n - ctx.correction
    centred = a - a.mean(dim=ctx.dims, keepdim=True) if ctx.dims else a * 0
    grad = grad.reshape(ctx.kept)
    if ctx.whole and dof <= 0:
        # 2/0 is infinite: inf times a centred value, taken as nan where that value is 0
        spike = Tensor._make(np.where(centred._data == 0, np.nan, np.inf).astype(centred._data.dtype))
        return grad * spike
    if dof == 0:
        return grad * centred * Tensor._make(np.asarray(np.inf, dtype=centred._data.dtype))
    return grad * centred * (2.0 / dof)


class LogSumExp(Function):
    """d logsumexp(a) = softmax(a), i.e. exp(a - logsumexp(a))"""
    _grad_fn_name, _builtin, saves_result = "LogsumexpBackward0", True, True

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        x = float_array(a)
        ctx.save_for_backward(a)
        ctx.kept = kept = _kept_shape(a.shape, dims)
        # subtract the maximum so exp cannot overflow; an all -inf slice stays -inf
        m = np.max(x, axis=dims, keepdims=True) if x.size else np.zeros(kept, x.dtype)
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):
            out = np.log(np.sum(np.exp(x - m), axis=dims, keepdims=True)) + m
        return out if keepdim else np.squeeze(out, axis=dims)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        r = ctx.result.reshape(ctx.kept)
        return grad.reshape(ctx.kept) * (a - r).exp(), None, None


class Softmax(Function):
    """d softmax: J^T g = y * (g - sum(g * y))"""
    _grad_fn_name, _builtin, saves_result = "SoftmaxBackward0", True, True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        # in row order, as torch computes it: the result is laid out in rows whatever the input's
        # layout, so that reshaping it gives a view, as in torch
        x = np.asarray(float_array(a), order="C")
        if x.size == 0:
            return x.copy()
        with np.errstate(all="ignore"):  # x - max(x) may overflow to -inf, whose exp is 0, as in torch
            e = np.exp(x - np.max(x, axis=dim, keepdims=True))
            return e / np.sum(e, axis=dim, keepdims=True)

    @staticmethod
    def backward(ctx, grad):
        y = ctx.result
        return y * (grad - (grad * y).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(Function):
    """d log_softmax: J^T g = g - softmax * sum(g)"""
    _grad_fn_name, _builtin, saves_result = "LogSoftmaxBackward0", True, True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        # in row order, as torch computes it: the result is laid out in rows whatever the input's
        # layout, so that reshaping it gives a view, as in torch
        x = np.asarray(float_array(a), order="C")
        if x.size == 0:
            return x.copy()
        with np.errstate(all="ignore"):  # x - max(x) may overflow to -inf, as in torch
            shifted = x - np.max(x, axis=dim, keepdims=True)
            return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))

    @staticmethod
    def backward(ctx, grad):
        y = ctx.result
        return grad - y.exp() * grad.sum(ctx.dim, keepdim=True), None


# -- functions ------------------------------------------------------------------------------------------
def sum(input, dim=None, keepdim=False, *, dtype=None):
    np_dtype = None if dtype is None else dtype.np
    if dim is None and not keepdim:
        return SumAll.apply(input, tuple(range(input.ndim)), False, np_dtype)
    return Sum.apply(input, _all_dims(input, dim), keepdim, np_dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    np_dtype = None if dtype is None else dtype.np
    if dim is None and not keepdim:
        return MeanAll.apply(input, tuple(range(input.ndim)), False, np_dtype)
    return Mean.apply(input, _all_dims(input, dim), keepdim, np_dtype)


def _max_min(input, dim, keepdim, full_cls, pick_cls, arg):
    if dim is None:
        return full_cls.apply(input)
    if isinstance(dim, Tensor):
        return (maximum if full_cls is MaxAll else minimum)(input, dim)
    d = wrap_dim(dim, input.ndim)
    if input.shape[d] == 0 if input.ndim else False:
        raise IndexError(f"{'max' if full_cls is MaxAll else 'min'}(): Expected reduction dim {d} to have "
                         "non-zero size. An empty dim has no largest or smallest element.")
    data = input._data if input.ndim else input._data.reshape(1)
    indices = arg(data, axis=d if input.ndim else 0)
    if not input.ndim:
        indices = indices.reshape(())
    values = pick_cls.apply(input, indices, d, keepdim)
    idx = np.expand_dims(indices, d) if keepdim and input.ndim else indices
    result_type = _RETURN_TYPES["max" if full_cls is MaxAll else "min"]
    return result_type(values, Tensor._make(np.asarray(idx, dtype=np.int64)))


def max(input, dim=None, keepdim=False):
    return _max_min(input, dim, keepdim, MaxAll, Gather, np.argmax)


def min(input, dim=None, keepdim=False):
    return _max_min(input, dim, keepdim, MinAll, GatherMin, np.argmin)


def maximum(a, b):
    from .pointwise import maximum as _maximum

    return _maximum(a, b)


def minimum(a, b):
    from .pointwise import minimum as _minimum

    return _minimum(a, b)


def amax(input, dim=(), keepdim=False):
    dims = _all_dims(input, None if dim is None else dim)
    if input._data.size == 0:
        if dim is None or dim == () or dim == []:
            _check_not_empty(input, "amax")
        for d in dims:
            if input.shape[d] == 0:
                raise IndexError(f"amax(): Expected reduction dim {d} to have non-zero size. An empty dim "
                                 "has no largest or smallest element.")
    return Amax.apply(input, dims, keepdim)


def _refuse_bool(input, name):
    if input._data.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input. Convert with .long() or .float() first.")


def argmax(input, dim=None, keepdim=False):
    _refuse_bool(input, "argmax")
    if dim is None:
        return Tensor._make(np.asarray(np.argmax(input._data), dtype=np.int64))
    return max(input, dim, keepdim).indices


def argmin(input, dim=None, keepdim=False):
    _refuse_bool(input, "argmin")
    if dim is None:
        return Tensor._make(np.asarray(np.argmin(input._data), dtype=np.int64))
    return min(input, dim, keepdim).indices


def _var_std(cls, input, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):  # torch's old positional form: var(unbiased)
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise RuntimeError(f"{cls.__name__.lower()}: can't specify both unbiased and correction")
    if correction is None:
        correction = 0 if unbiased is False else 1
    if input._data.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes. A spread of whole "
                           "numbers is not a whole number; convert with .float() first.")
    dims = _all_dims(input, dim)
    if int(np.prod([input.shape[d] for d in dims])) - correction <= 0:
        warnings.warn(
            f"{cls.__name__.lower()}(): degrees of freedom is <= 0. Correction should be strictly less than "
            "the reduction factor (input numel divided by output numel). The result is inf or nan: there are "
            "too few elements to estimate a spread with this correction.",
            UserWarning, stacklevel=3,
        )
    return cls.apply(input, dims, correction, keepdim, dim is None)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _var_std(Var, input, dim, unbiased, keepdim, correction)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _var_std(Std, input, dim, unbiased, keepdim, correction)


def logsumexp(input, dim, keepdim=False):
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' must be tuple of ints, not NoneType. Name the dim(s) to "
                        "reduce, e.g. x.logsumexp(0).")
    return LogSumExp.apply(input, _all_dims(input, dim), keepdim)


def softmax(input, dim, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    d = wrap_dim(dim, input.ndim)
    _check_softmax_dtype(input, d, "softmax")
    return Softmax.apply(input, d)


def log_softmax(input, dim, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    d = wrap_dim(dim, input.ndim)
    _check_softmax_dtype(input, d, "log_softmax")
    return LogSoftmax.apply(input, d)


def _check_softmax_dtype(input, dim, name):
    x = input._data
    if x.dtype.kind not in "fc":
        last = dim == builtins.max(x.ndim, 1) - 1
        kernel = f"{name}_lastdim_kernel_impl" if last else f"{name}_kernel_impl"
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{_dtype.SCALAR_NAMES[x.dtype.name]}'. Probabilities are not "
            "whole numbers: convert with .float() first, or pass dtype=minigrad.float32."
        )


def all(input, dim=None, keepdim=False):
    return _truth(input, np.all(input._data, axis=dim, keepdims=keepdim))


def any(input, dim=None, keepdim=False):
    return _truth(input, np.any(input._data, axis=dim, keepdims=keepdim))


def _truth(input, result) -> Tensor:
    """all's or any's result: bool, except of a uint8 tensor, whose answer torch gives as uint8 (0 or 1)"""
    return Tensor._make(np.asarray(result, np.uint8 if input._data.dtype == np.uint8 else np.bool_))
