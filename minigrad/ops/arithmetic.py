"""+ - * / ** @ and negation. Each backward is the op's derivative, times the incoming gradient.

Broadcasting is not handled here: a backward returns gradients of the output's shape and the engine
sums them back to each input's shape (``engine._fit_to_input``).
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ._common import binary_operands, check_broadcast, common_arrays, float_arrays


class Add(Function):
    """d(a + alpha*b) = da + alpha*db"""
    _grad_fn_name, _builtin = "AddBackward0", True

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        x, y = common_arrays(a, b)
        check_broadcast(x, y)
        ctx.alpha = alpha
        return x + y if alpha == 1 else x + alpha * y

    @staticmethod
    def backward(ctx, grad):
        return grad, (grad if ctx.alpha == 1 else grad * ctx.alpha), None


class Sub(Function):
    """d(a - alpha*b) = da - alpha*db"""
    _grad_fn_name, _builtin = "SubBackward0", True

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        x, y = common_arrays(a, b)
        check_broadcast(x, y)
        ctx.alpha = alpha
        return x - y if alpha == 1 else x - alpha * y

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.alpha == 1 else grad * -ctx.alpha), None


class Rsub(Sub):
    """number - tensor, recorded under torch's name for it"""
    _grad_fn_name = "RsubBackward1"


class Mul(Function):
    """d(a*b) = b da + a db"""
    _grad_fn_name, _builtin = "MulBackward0", True

    @staticmethod
    def forward(ctx, a, b):
        x, y = common_arrays(a, b)
        check_broadcast(x, y)
        ctx.save_for_backward(a, b)
        return x * y

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a


class Div(Function):
    """d(a/b) = da/b - a/b**2 db"""
    _grad_fn_name, _builtin = "DivBackward0", True

    @staticmethod
    def forward(ctx, a, b):
        x, y = float_arrays(a, b)
        check_broadcast(x, y)
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return x / y

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = grad / b
        return grad_a, -grad_a * a / b


class Reciprocal(Function):
    """d(1/a) = -1/a**2 da"""
    _grad_fn_name, _builtin, saves_result = "ReciprocalBackward0", True, True

    @staticmethod
    def forward(ctx, a):
        with np.errstate(divide="ignore"):
            return 1.0 / (a._data if a._data.dtype.kind == "f" else a._data.astype(np.float32))

    @staticmethod
    def backward(ctx, grad):
        r = ctx.result
        return -grad * r * r


class Neg(Function):
    """d(-a) = -da"""
    _grad_fn_name, _builtin = "NegBackward0", True

    @staticmethod
    def forward(ctx, a):
        if a._data.dtype == np.bool_:
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                "invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return -a._data

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Function):
    """d(a**p) = p * a**(p-1) da, for a number p"""
    _grad_fn_name, _builtin = "PowBackward0", True

    @staticmethod
    def forward(ctx, a, exponent):
        ctx.save_for_backward(a)
        ctx.exponent = exponent
        x = a._data
        if x.dtype.kind in "iub" and isinstance(exponent, float):
            x = x.astype(np.float32)
        if x.dtype.kind in "iu" and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.power(x, np.asarray(exponent, dtype=x.dtype))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        p = ctx.exponent
        if p == 0:
            return grad * 0, None
        return grad * p * a ** (p - 1), None


class PowTensor(Function):
    """d(a**b) = b a**(b-1) da + a**b log(a) db"""
    _grad_fn_name, _builtin = "PowBackward1", True

    @staticmethod
    def forward(ctx, a, b):
        x, y = common_arrays(a, b)
        check_broadcast(x, y)
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.power(x, y)

    @staticmethod
    def backward(ctx, grad):
        from .pointwise import where

        a, b = ctx.saved_tensors
        grad_a = grad * b * a ** (b - 1)
        # 0**b has derivative 0 in b for b >= 0; log(0) would turn it into nan
        grad_b = where((a == 0) & (b >= 0), 0.0, grad * a ** b * a.log())
        return grad_a, grad_b


class Rpow(PowTensor):
    """number ** tensor"""
    _grad_fn_name = "PowBackward2"


class MatMul(Function):
    """d(a @ b) = g @ b.T for a, a.T @ g for b (1-d operands treated as in np.matmul)"""
    _grad_fn_name, _builtin = "UnsafeViewBackward0", True

    @staticmethod
    def forward(ctx, a, b):
        x, y = common_arrays(a, b)
        if x.ndim == 0 or y.ndim == 0:
            raise RuntimeError(
                f"both arguments to matmul need to be at least 1D, but they are {x.ndim}D and {y.ndim}D. "
                "Use * to multiply by a scalar."
            )
        k_x = x.shape[-1]
        k_y = y.shape[-2] if y.ndim > 1 else y.shape[0]
        if k_x != k_y:
            raise RuntimeError(_matmul_mismatch(x.shape, y.shape))
        ctx.save_for_backward(a, b)
        return np.matmul(x, y)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        if a.ndim == 1 and b.ndim == 1:
            return grad * b, grad * a
        if b.ndim == 1:  # (..., m, n) @ (n,) -> (..., m)
            g = grad.unsqueeze(-1)
            return g * b, g * a
        if a.ndim == 1:  # (n,) @ (..., n, p) -> (..., p)
            g = grad.unsqueeze(-2)
            return (b * g).sum(-1), a.unsqueeze(-1) * g
        return grad @ b.mT, a.mT @ grad


class Mm(MatMul):
    _grad_fn_name = "MmBackward0"


class Mv(MatMul):
    _grad_fn_name = "MvBackward0"


class Dot(MatMul):
    _grad_fn_name = "DotBackward0"


class Bmm(MatMul):
    _grad_fn_name = "BmmBackward0"


def _matmul_mismatch(sx, sy) -> str:
    if len(sx) == 1 and len(sy) == 1:
        return (f"inconsistent tensor size, expected tensor [{sx[0]}] and src [{sy[0]}] to have the same "
                "number of elements, but got {sx[0]} and {sy[0]} elements respectively")
    if len(sx) == 2 and len(sy) == 2:
        return (f"mat1 and mat2 shapes cannot be multiplied ({sx[0]}x{sx[1]} and {sy[0]}x{sy[1]}). "
                "In a @ b the last size of a must equal the first size of b.")
    return (f"Expected size for first two dimensions of batch2 tensor to be: [.., {sx[-1]}] but got: "
            f"{list(sy)}. In a @ b the last size of a must equal the second-to-last size of b.")


# -- the functions behind the operators ---------------------------------------------------------------
def add(input, other, *, alpha=1):
    a, b = binary_operands(input, other)
    return Add.apply(a, b, alpha)


def sub(input, other, *, alpha=1):
    a, b = binary_operands(input, other)
    return Sub.apply(a, b, alpha)


def rsub(input, other, *, alpha=1):
    a, b = binary_operands(input, other)
    return Rsub.apply(b, a, alpha)


def mul(input, other):
    a, b = binary_operands(input, other)
    return Mul.apply(a, b)


def div(input, other, *, rounding_mode=None):
    a, b = binary_operands(input, other)
    if rounding_mode is not None:
        from .pointwise import floor_divide

        return floor_divide(a, b) if rounding_mode == "floor" else (a / b).trunc()
    return Div.apply(a, b)


def reciprocal(input):
    return Reciprocal.apply(input)


def neg(input):
    return Neg.apply(input)


def pow(input, exponent):
    from .._tensor import Tensor

    if isinstance(exponent, Tensor):
        a, b = binary_operands(input, exponent)
        return (Rpow if not isinstance(input, Tensor) else PowTensor).apply(a, b)
    return Pow.apply(input, exponent)


def matmul(input, other):
    a, b = binary_operands(input, other)
    cls = {(2, 2): Mm, (2, 1): Mv, (1, 1): Dot, (3, 3): Bmm}.get((a.ndim, b.ndim), MatMul)
    return cls.apply(a, b)
