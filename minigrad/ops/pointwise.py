"""Element-wise functions: exp, log, sqrt, sin, cos, tanh, sigmoid, relu, abs, clamp, maximum, minimum,
where; and comparisons, which have no gradient."""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import (
    as_tensor_like, binary_operands, broadcast_shapes, check_broadcast, check_rounded_division, common_arrays,
    float_array, quietly, result_dtype,
)


class Exp(Function):
    """d/da exp(a) = exp(a)"""
    _grad_fn_name, _builtin, saves_result = "ExpBackward0", True, True

    @staticmethod
    def forward(ctx, a):
        return quietly(np.exp, float_array(a))

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.result

    @staticmethod
    def vjp(ctx, grad):
        return grad * ctx.result_array


class Log(Function):
    """d/da log(a) = 1/a"""
    _grad_fn_name, _builtin = "LogBackward0", True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return quietly(np.log, float_array(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a


class Sqrt(Function):
    """d/da sqrt(a) = 1 / (2 sqrt(a))"""
    _grad_fn_name, _builtin, saves_result = "SqrtBackward0", True, True

    @staticmethod
    def forward(ctx, a):
        return quietly(np.sqrt, float_array(a))

    @staticmethod
    def backward(ctx, grad):
        return grad / (2 * ctx.result)

    @staticmethod
    def vjp(ctx, grad):
        return grad / (2 * ctx.result_array)


class Sin(Function):
    """d/da sin(a) = cos(a)"""
    _grad_fn_name, _builtin = "SinBackward0", True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(float_array(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a.cos()


class Cos(Function):
    """d/da cos(a) = -sin(a)"""
    _grad_fn_name, _builtin = "CosBackward0", True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(float_array(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * -a.sin()


class Tanh(Function):
    """d/da tanh(a) = 1 - tanh(a)**2"""
    _grad_fn_name, _builtin, saves_result = "TanhBackward0", True, True

    @staticmethod
    def forward(ctx, a):
        return np.tanh(float_array(a))

    @staticmethod
    def backward(ctx, grad):
        t = ctx.result
        return grad * (1 - t * t)

    @staticmethod
    def vjp(ctx, grad):
        t = ctx.result_array
        return grad * (1 - t * t)


class Sigmoid(Function):
    """d/da sigmoid(a) = sigmoid(a) (1 - sigmoid(a))"""
    _grad_fn_name, _builtin, saves_result = "SigmoidBackward0", True, True

    @staticmethod
    def forward(ctx, a):
        x = float_array(a)
        # exp of a large positive number overflows; this form only ever exponentiates -|x|
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        s = ctx.result
        return grad * s * (1 - s)

    @staticmethod
    def vjp(ctx, grad):
        s = ctx.result_array
        return grad * s * (1 - s)


class Relu(Function):
    """d/da relu(a) = 1 where a > 0, else 0"""
    _grad_fn_name, _builtin, saves_result = "ReluBackward0", True, True

    @staticmethod
    def forward(ctx, a):
        if a._data.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu. A bool is already >= 0; convert with "
                               ".float() if you meant numbers.")
        return np.maximum(a._data, 0)  # the Python 0 takes the array's dtype (NumPy >= 2)

    @staticmethod
    def backward(ctx, grad):
        # an op of its own, as in torch: the gradient then depends on relu's output, so its own
        # derivative (0) can be taken, even where the incoming gradient is a constant
        return ThresholdBackward.apply(grad, ctx.result)

    @staticmethod
    def vjp(ctx, grad):
        return grad * (ctx.result_array > 0)


class ThresholdBackward(Function):
    """relu's backward, grad where out > 0, as an op (torch's threshold_backward): d/dgrad is the
    same mask, d/dout is 0

    Recorded only when a gradient's graph is wanted (create_graph). Written as ``grad * (out > 0)``,
    that gradient would not depend on the input at all where the incoming gradient is a constant
    (``y = x.relu().sum()``): it would not require grad, and a second derivative would raise, where
    torch gives 0."""
    _grad_fn_name, _builtin = "ThresholdBackwardBackward0", True

    @staticmethod
    def forward(ctx, grad, out):
        ctx.save_for_backward(out)
        return grad._data * (out._data > 0)

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return ThresholdBackward.apply(grad, out), Tensor._make(np.zeros_like(out._data))


class Abs(Function):
    """d/da |a| = sign(a)  (0 at 0)"""
    _grad_fn_name, _builtin = "AbsBackward0", True

    @staticmethod
    def forward(ctx, a):
        _refuse_bool(a, "abs_cpu")
        ctx.save_for_backward(a)
        return np.abs(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a.sign()


class Sign(Function):
    """sign is flat almost everywhere: its derivative is 0"""
    _grad_fn_name, _builtin = "SignBackward0", True

    @staticmethod
    def forward(ctx, a):
        x = a._data
        return x.copy() if x.dtype == np.bool_ else np.sign(x)  # a bool is its own sign (NumPy has no loop)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


class Clamp(Function):
    """d/da clamp(a, lo, hi) = 1 where lo <= a <= hi, else 0"""
    _grad_fn_name, _builtin = "ClampBackward1", True

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a)
        ctx.bounds = (lo, hi)
        bounds = [(-1, _dtype.scalar_dtype(v)) for v in (lo, hi) if v is not None]
        d = _dtype.result_type((a._data.ndim, _dtype.from_numpy(a._data.dtype)), *bounds)
        if d is _dtype.bool_:
            kernel = "clamp" if len(bounds) == 2 else "clamp_min" if lo is not None else "clamp_max"
            _refuse_bool(a, kernel + "_scalar_cpu")
        x = a._data.astype(d.np)  # a copy: the result never shares memory with a
        if lo is not None:
            np.maximum(x, np.asarray(lo).astype(d.np), out=x)
        if hi is not None:
            np.minimum(x, np.asarray(hi).astype(d.np), out=x)
        return x

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        inside = None
        if lo is not None:
            inside = a >= lo
        if hi is not None:
            inside = (a <= hi) if inside is None else inside & (a <= hi)
        return grad * inside, None, None


class ClampTensor(Function):
    """clamp with tensor bounds: the gradient goes to whichever of a, lo, hi the output was taken from"""
    _grad_fn_name, _builtin = "ClampBackward0", True
    _listed_args = (0, 1, 2)  # torch lists a missing bound too, as None

    @staticmethod
    def forward(ctx, a, lo, hi):
        present = [t for t in (a, lo, hi) if t is not None]
        common = result_dtype(*present).np
        arrays = [t._data.astype(common, copy=False) for t in present]
        broadcast_shapes(*(x.shape for x in arrays))
        ctx.save_for_backward(a, lo, hi)
        out = arrays[0]
        if lo is not None:
            out = np.maximum(out, arrays[1])
        if hi is not None:
            out = np.minimum(out, arrays[-1])
        return out

    @staticmethod
    def backward(ctx, grad):
        a, lo, hi = ctx.saved_tensors
        zero = grad * 0
        if lo is not None and hi is not None:
            # with lo > hi the output is hi everywhere, whatever a is
            return (where((a >= lo) & (a <= hi), grad, zero),
                    where((a < lo) & (lo < hi), grad, zero),
                    where((a > hi) | (hi < lo), grad, zero))
        if lo is not None:
            return where(a >= lo, grad, zero), where(a < lo, grad, zero), None
        return where(a <= hi, grad, zero), None, where(a > hi, grad, zero)


class Maximum(Function):
    """d max(a, b): the gradient goes to the larger input, half to each on a tie"""
    _grad_fn_name, _builtin = "MaximumBackward0", True

    @staticmethod
    def forward(ctx, a, b):
        x, y = common_arrays(a, b)
        check_broadcast(x, y)
        ctx.save_for_backward(a, b)
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share = (a > b) + (a == b) * 0.5
        return grad * share, grad * (1 - share)


class Minimum(Function):
    """d min(a, b): the gradient goes to the smaller input, half to each on a tie"""
    _grad_fn_name, _builtin = "MinimumBackward0", True

    @staticmethod
    def forward(ctx, a, b):
        x, y = common_arrays(a, b)
        check_broadcast(x, y)
        ctx.save_for_backward(a, b)
        return np.minimum(x, y)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share = (a < b) + (a == b) * 0.5
        return grad * share, grad * (1 - share)


class Where(Function):
    """d where(c, a, b) = da where c, db elsewhere"""
    _grad_fn_name, _builtin = "WhereBackward0", True
    _listed_args = (1, 2)  # the bool condition has no gradient: torch does not list it

    @staticmethod
    def forward(ctx, condition, a, b):
        x, y = common_arrays(a, b)
        broadcast_shapes(condition._data.shape, x.shape, y.shape)
        ctx.save_for_backward(condition)
        return np.where(condition._data, x, y)

    @staticmethod
    def backward(ctx, grad):
        (c,) = ctx.saved_tensors
        zero = grad * 0
        return None, where(c, grad, zero), where(c, zero, grad)


class MaskedFill(Function):
    """d masked_fill(a, mask, value) = da where the mask is False, 0 where it is True (value: a number)"""
    _grad_fn_name, _builtin, _ctx_slots = "MaskedFillBackward0", True, ("mask",)
    _listed_args = (0,)  # the mask has no gradient and the value is a number: torch lists only a

    @staticmethod
    def forward(ctx, a, mask, value):
        ctx.mask = mask
        return np.where(mask._data, np.asarray(value, a._data.dtype), a._data)

    @staticmethod
    def backward(ctx, grad):
        return where(ctx.mask, 0.0, grad), None, None


def _refuse_bool(a, kernel: str) -> None:
    if a._data.dtype == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'. This needs numbers; convert with "
                                  ".long() or .float() first.")


# -- comparisons: boolean results, outside the graph ---------------------------------------------------
def _compare(ufunc):
    def compare(input, other):
        a, b = binary_operands(input, other)
        x, y = common_arrays(a, b)
        check_broadcast(x, y)
        return Tensor._make(np.asarray(ufunc(x, y)))

    compare.__name__ = ufunc.__name__
    return compare


eq = _compare(np.equal)
ne = _compare(np.not_equal)
lt = _compare(np.less)
le = _compare(np.less_equal)
gt = _compare(np.greater)
ge = _compare(np.greater_equal)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other|, element by element (equal infinities are close; nan only
    with equal_nan): how gradients are compared, since floats rarely come out exactly equal."""
    _require_tensors("isclose", input, other)
    return Tensor._make(_close(input._data, other._data, rtol, atol, equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """Whether every element of input is close to other's (see isclose)."""
    _require_tensors("allclose", input, other)
    return bool(_close(input._data, other._data, rtol, atol, equal_nan).all())


def equal(input, other) -> bool:
    """Whether the two tensors have the same shape and the same values (in either dtype)."""
    _require_tensors("equal", input, other)
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def _require_tensors(function: str, input, other) -> None:
    for position, (name, t) in enumerate((("input", input), ("other", other))):
        if not isinstance(t, Tensor):
            raise TypeError(f"{function}(): argument '{name}' (position {position + 1}) must be Tensor, not "
                            f"{type(t).__name__}. Compare tensors: wrap the number, e.g. minigrad.tensor(1.0).")


def _close(x: np.ndarray, y: np.ndarray, rtol, atol, equal_nan) -> np.ndarray:
    """isclose on arrays, with torch's refusals: one dtype, tolerances >= 0, shapes that broadcast."""
    if x.dtype != y.dtype:
        raise RuntimeError(f"{_dtype.SCALAR_NAMES[x.dtype.name]} did not match "
                           f"{_dtype.SCALAR_NAMES[y.dtype.name]}. Compare tensors of one dtype: convert one "
                           "with .to(other.dtype).")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if tol < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {tol}. A tolerance "
                               "is a distance.")
    check_broadcast(x, y)
    if x.dtype == np.bool_:
        return np.asarray(x == y)
    return np.asarray(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _logical(ufunc):
    def logical(input, other):
        a, b = binary_operands(input, other)
        if a._data.dtype.kind == "f" or b._data.dtype.kind == "f":
            raise TypeError(f'"{ufunc.__name__}" not implemented for floating-point tensors; use it on '
                            "boolean or integer tensors (e.g. the results of comparisons).")
        x, y = common_arrays(a, b)
        return Tensor._make(np.asarray(ufunc(x, y)))

    return logical


bitwise_and = _logical(np.bitwise_and)
bitwise_or = _logical(np.bitwise_or)
bitwise_xor = _logical(np.bitwise_xor)


def logical_not(input):
    return Tensor._make(np.asarray(np.logical_not(input._data)))


# -- functions ------------------------------------------------------------------------------------------
def exp(input):
    return Exp.apply(input)


def log(input):
    return Log.apply(input)


def sqrt(input):
    return Sqrt.apply(input)


def sin(input):
    return Sin.apply(input)


def cos(input):
    return Cos.apply(input)


def tanh(input):
    return Tanh.apply(input)


def sigmoid(input):
    return Sigmoid.apply(input)


def relu(input):
    return Relu.apply(input)


def abs(input):
    return Abs.apply(input)


def sign(input):
    return Sign.apply(input)


def clamp(input, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("minigrad.clamp: At least one of 'min' or 'max' must not be None. Give a lower "
                           "bound (min=), an upper bound (max=), or both.")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = None if min is None else as_tensor_like(min, input)
        hi = None if max is None else as_tensor_like(max, input)
        return ClampTensor.apply(input, lo, hi)
    return Clamp.apply(input, min, max)


clip = clamp


def maximum(input, other):
    return Maximum.apply(input, other)


def minimum(input, other):
    return Minimum.apply(input, other)


def where(condition, input, other):
    if not isinstance(condition, Tensor) or condition._data.dtype != np.bool_:
        name = _dtype.SCALAR_NAMES.get(condition._data.dtype.name) if isinstance(condition, Tensor) else None
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{name or type(condition).__name__}. Build the condition with a comparison, "
                           "e.g. x > 0, or convert it with .bool().")
    like = input if isinstance(input, Tensor) else other
    if not isinstance(like, Tensor):  # two numbers: their own promotion decides (1 and 0 give int64)
        d = _dtype.result_type((-1, _dtype.scalar_dtype(input)), (-1, _dtype.scalar_dtype(other)))
        like = Tensor._make(np.zeros((), d.np))
    return Where.apply(condition, as_tensor_like(input, like), as_tensor_like(other, like))


class FloorDivide(Function):
    """floor(a / b), for which torch has no derivative: backward through it is an error"""
    _grad_fn_name, _builtin = "NotImplemented", True

    @staticmethod
    def forward(ctx, a, b):
        x, y = common_arrays(a, b)
        check_rounded_division(x, y, "floor")
        return quietly(np.floor_divide, x, y)  # x // 0.0 is inf or nan, as in torch: no warning

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented. floor_divide is a step "
                           "function; div(a, b, rounding_mode='floor') computes the same values and has a "
                           "gradient (zero), or detach() what you do not differentiate.")


# torch's node for an op without a derivative lists only the inputs that require grad
class FloorDivideFirst(FloorDivide):
    _grad_fn_name, _listed_args = "NotImplemented", (0,)


class FloorDivideSecond(FloorDivide):
    _grad_fn_name, _listed_args = "NotImplemented", (1,)


def floor_divide(input, other):
    a, b = binary_operands(input, other)
    if a._requires_grad != b._requires_grad:
        return (FloorDivideFirst if a._requires_grad else FloorDivideSecond).apply(a, b)
    return FloorDivide.apply(a, b)
