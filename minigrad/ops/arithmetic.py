"""+ - * / ** and negation (@ is in matmul.py). Each backward is the op's derivative, times the incoming gradient.

Broadcasting is not handled here: a backward returns gradients of the output's shape and the engine
sums them back to each input's shape (``engine._fit_to_input``).
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from ..autograd.function import Function
from .._tensor import Tensor
from ._common import (
    _PLAIN_NUMBERS, binary_operands, check_rounded_division, float_arrays, is_number, operand_arrays,
    quietly, quietly_on_0d,
)


class Add(Function):
    """d(a + alpha*b) = da + alpha*db"""
    _grad_fn_name, _builtin, _ctx_slots = "AddBackward0", True, ("alpha",)

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        x, y = operand_arrays(a, b)
        ctx.alpha = alpha
        # inf - inf is nan, as in torch: no warning
        return quietly(np.add, x, y if alpha == 1 else quietly(np.multiply, alpha, y))

    @staticmethod
    def backward(ctx, grad):
        if not ctx.needs_input_grad[1]:
            return grad, None, None
        return grad, (grad if ctx.alpha == 1 else grad * ctx.alpha), None

    vjp = backward  # numbers and operators only: the same formula serves arrays


class AddNumber(Function):
    """d(a + c) = da, for a number c (x + 1): c stays a number, no constant tensor is made"""
    _grad_fn_name, _builtin = "AddBackward0", True
    _listed_args = (0, 1)  # torch takes the number as a tensor: next_functions lists it, with no node

    @staticmethod
    def forward(ctx, a, c):
        x = a._data  # a float array keeps its dtype next to a Python float or int
        return quietly(np.add, x, c) if x.ndim else quietly_on_0d(np.add, x, c)

    @staticmethod
    def backward(ctx, grad):
        return grad, None

    vjp = backward  # the same formula serves arrays


class AddScalar(AddNumber):
    """tensor + number as torch's own code computes it (add.Scalar, in losses): the number is no tensor
    there, so next_functions lists only the tensor"""
    _grad_fn_name = "AddBackward1"
    _listed_args = (0,)


class Sub(Function):
    """d(a - alpha*b) = da - alpha*db"""
    _grad_fn_name, _builtin, _ctx_slots = "SubBackward0", True, ("alpha",)

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        x, y = operand_arrays(a, b)
        ctx.alpha = alpha
        return quietly(np.subtract, x, y if alpha == 1 else quietly(np.multiply, alpha, y))

    @staticmethod
    def backward(ctx, grad):
        if not ctx.needs_input_grad[1]:  # x - target: the target's gradient would be thrown away
            return grad, None, None
        return grad, (-grad if ctx.alpha == 1 else grad * -ctx.alpha), None

    vjp = backward  # numbers and operators only: the same formula serves arrays


class Rsub(Sub):
    """rsub(input, other) = other - alpha*input: Sub, given its operands the other way round"""
    _grad_fn_name = "RsubBackward0"
    _listed_args = (1, 0)  # forward gets (other, input); torch lists input first


class RsubNumber(Rsub):
    """number - tensor (1 - x): torch keeps the number a number, so next_functions lists only the tensor"""
    _grad_fn_name = "RsubBackward1"
    _listed_args = (1,)


class Mul(Function):
    """d(a*b) = b da + a db"""
    _grad_fn_name, _builtin = "MulBackward0", True

    @staticmethod
    def forward(ctx, a, b):
        x, y = operand_arrays(a, b)
        # a's gradient needs b and b's needs a: keep only those (x * 2.0 keeps x out of memory)
        need_a, need_b = ctx.needs_input_grad[:2]
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return quietly(np.multiply, x, y)  # 0 * inf is nan, as in torch: no warning

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (None if b is None else grad * b), (None if a is None else grad * a)

    @staticmethod
    def vjp(ctx, grad):
        a, b = ctx.saved_arrays
        if _other_dtype(grad, a, b):
            return None
        return (None if b is None else grad * b), (None if a is None else grad * a)


class MulNumber(Function):
    """d(a*c) = c da, for a number c (x * 2.5): c stays a number, no constant tensor is made or kept"""
    _grad_fn_name, _builtin, _ctx_slots = "MulBackward0", True, ("c",)
    _listed_args = (0, 1)  # torch takes the number as a tensor: next_functions lists it, with no node

    @staticmethod
    def forward(ctx, a, c):
        ctx.c = c
        # torch saves that tensor, and backward frees it: a second backward of x * 2 is an error there
        ctx.save_for_backward()
        x = a._data  # a float array keeps its dtype next to a Python float or int
        return quietly(np.multiply, x, c) if x.ndim else quietly_on_0d(np.multiply, x, c)

    @staticmethod
    def backward(ctx, grad):
        ctx.check_not_freed()
        return grad * ctx.c, None

    vjp = backward  # numbers and operators only: the same formula serves arrays


class MulScalar(MulNumber):
    """tensor * number as torch's own code computes it (mul.Scalar, in losses): the number is no tensor
    there, so next_functions lists only the tensor, and nothing is saved (a second backward is fine)"""
    _grad_fn_name = "MulBackward1"
    _listed_args = (0,)

    @staticmethod
    def forward(ctx, a, c):
        ctx.c = c
        return quietly(np.multiply, a._data, c)


class DivScalar(Function):
    """d(a/c) = da/c, for a number c, as torch's own code divides (div.Scalar, in losses): next_functions
    lists only the tensor"""
    _grad_fn_name, _builtin, _ctx_slots = "DivBackward1", True, ("c",)

    @staticmethod
    def forward(ctx, a, c):
        ctx.c = c
        return quietly(np.true_divide, a._data, c)

    @staticmethod
    def backward(ctx, grad):
        return grad / ctx.c, None

    vjp = backward  # a number: the same formula serves arrays


class Div(Function):
    """d(a/b) = da/b - a/b**2 db"""
    _grad_fn_name, _builtin = "DivBackward0", True

    @staticmethod
    def forward(ctx, a, b):
        x, y = float_arrays(a, b)
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)  # only b's gradient reads a
        return quietly(np.true_divide, x, y)  # (which checks that the shapes broadcast)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = grad / b
        return grad_a, (None if a is None else -grad_a * a / b)

    @staticmethod
    def vjp(ctx, grad):
        a, b = ctx.saved_arrays
        if _other_dtype(grad, a, b):
            return None
        grad_a = grad / b
        return grad_a, (None if a is None else -grad_a * a / b)


class DivRounded(Function):
    """a / b rounded down ('floor') or towards zero ('trunc'): flat between its steps, so its gradient
    is 0 (torch records it all the same)"""
    _grad_fn_name, _builtin = "DivBackward2", True

    @staticmethod
    def forward(ctx, a, b, rounding_mode):
        x, y = operand_arrays(a, b)
        check_rounded_division(x, y, rounding_mode)
        if rounding_mode == "floor":
            return quietly(np.floor_divide, x, y)
        if x.dtype.kind == "f":
            return quietly(np.trunc, quietly(np.true_divide, x, y))
        return np.sign(x) * np.sign(y) * (np.abs(x) // np.abs(y))  # integers: no detour through floats

    @staticmethod
    def backward(ctx, grad):
        zero = grad * 0
        return zero, zero, None


class Reciprocal(Function):
    """d(1/a) = -1/a**2 da"""
    _grad_fn_name, _builtin, saves_result = "ReciprocalBackward0", True, True

    @staticmethod
    def forward(ctx, a):
        return quietly(np.true_divide, 1.0, a._data if a._data.dtype.kind == "f" else a._data.astype(np.float32))

    @staticmethod
    def backward(ctx, grad):
        r = ctx.result
        return -grad * r * r


class Neg(Function):
    """d(-a) = -da"""
    _grad_fn_name, _builtin = "NegBackward0", True

    @staticmethod
    def forward(ctx, a):
        if a._data.dtype.kind == "b":  # (the kind: comparing with np.bool_ builds a dtype each time)
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                "invert a mask, use the `~` or `logical_not()` operator instead. A bool has no negative; "
                "convert with .float() or .long() first if you meant numbers."
            )
        return -a._data

    @staticmethod
    def backward(ctx, grad):
        return -grad

    vjp = backward  # operators only: the same formula serves arrays


class Pow(Function):
    """d(a**p) = p * a**(p-1) da, for a number p"""
    _grad_fn_name, _builtin, _ctx_slots = "PowBackward0", True, ("exponent",)

    @staticmethod
    def forward(ctx, a, exponent):
        ctx.save_for_backward(a)
        ctx.exponent = exponent
        x = a._data
        if type(exponent) in _PLAIN_NUMBERS and x.dtype.kind == "f":  # x ** 2: the tensor's dtype wins
            if exponent == 2:  # x * x, as np.power and torch compute it too, without an exponent array
                return quietly(np.square, x)
            return quietly(np.power, x, np.array(exponent, x.dtype))
        d = _dtype.result_type((a._data.ndim, _dtype.from_numpy(a._data.dtype)),
                               (-1, _dtype.scalar_dtype(exponent)))
        if d is _dtype.bool_:  # torch takes x ** True and x ** False as the shortcuts x and 1
            return a._data.copy() if exponent else np.ones_like(a._data)
        if d._kind == _dtype.INT and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed. 1/x is not an integer; "
                               "convert the tensor with .float() first.")
        x = a._data.astype(d.np, copy=False)
        return quietly(np.power, x, np.asarray(exponent).astype(d.np))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        p = ctx.exponent
        if p == 0:
            return Tensor._make(np.zeros_like(grad._data)), None
        base = a if p == 2 else a ** (p - 1)  # a ** 1 is a: squares, the common case, skip an op
        return grad * p * base, None

    @staticmethod
    def vjp(ctx, grad):
        (a,) = ctx.saved_arrays
        p = ctx.exponent
        if type(p) not in _PLAIN_NUMBERS:  # a NumPy number would promote where torch does not
            return None
        if p == 0:
            return np.zeros_like(grad), None
        # as Pow.forward computes a ** (p - 1): np.power with the exponent in a's dtype
        base = a if p == 2 else np.power(a, np.array(p - 1, a.dtype))
        return grad * p * base, None


class PowTensor(Function):
    """d(a**b) = b a**(b-1) da + a**b log(a) db"""
    _grad_fn_name, _builtin, saves_result = "PowBackward1", True, True  # a**b: the output, as torch keeps it

    @staticmethod
    def forward(ctx, a, b):
        x, y = operand_arrays(a, b)
        _check_pow_dtype(_dtype.from_numpy(x.dtype))
        ctx.save_for_backward(a, b)
        return quietly(np.power, x, y)

    @staticmethod
    def backward(ctx, grad):
        from .pointwise import where

        a, b = ctx.saved_tensors
        a, b = a.to(grad.dtype), b.to(grad.dtype)  # torch differentiates in the result's dtype
        grad_a = grad * b * a ** (b - 1)
        # 0**b has derivative 0 in b for b >= 0. Those places take the base 1 instead of 0, so log
        # gives 0 there rather than -inf: a nan, even where `where` drops it, would poison the
        # gradient of this gradient.
        flat = (a == 0) & (b >= 0)
        safe = where(flat, 1.0, a)
        grad_b = where(flat, 0.0, grad * ctx.result.to(grad.dtype) * safe.log())
        return grad_a, grad_b


def _other_dtype(grad: np.ndarray, *saved) -> bool:
    """A saved array of another dtype than the gradient: NumPy would promote it where torch may not."""
    return any(x is not None and x.dtype != grad.dtype for x in saved)


def _check_pow_dtype(d) -> None:
    if d is _dtype.bool_:
        raise NotImplementedError(
            "\"pow\" not implemented for 'Bool'. Powers of True and False are not bools; convert with .long() "
            "or .float() first."
        )


class Rpow(PowTensor):
    """number ** tensor: torch keeps the number a number, so next_functions lists only the exponent"""
    _grad_fn_name = "PowBackward2"
    _listed_args = (1,)


# -- the functions behind the operators ---------------------------------------------------------------
def add(input, other, *, alpha=1):
    # x + 1 on a float tensor: AddNumber (the + operator makes this choice itself, see _tensor_ops._operator)
    if (type(other) in _PLAIN_NUMBERS and alpha == 1 and isinstance(input, Tensor)
            and input._data.dtype.kind == "f"):
        return AddNumber.apply(input, other)
    a, b = binary_operands(input, other)
    return Add.apply(a, b, alpha)


def _is_bool(x) -> bool:
    if isinstance(x, Tensor):
        return x._data.dtype.kind == "b"
    return isinstance(x, (bool, np.bool_)) or getattr(x, "dtype", None) == _dtype.bool_


def _refuse_bool(a, b) -> None:
    a_is_bool, b_is_bool = _is_bool(a), _is_bool(b)
    if a_is_bool or b_is_bool:
        if a_is_bool and b_is_bool:
            raise RuntimeError(
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                "`logical_xor()` operator instead. For bools, a - b is 'exactly one of them', which is xor."
            )
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead. True - True has no bool "
            "answer; convert with .float() or .long() first if you meant numbers."
        )


def sub(input, other, *, alpha=1):
    _refuse_bool(input, other)
    a, b = binary_operands(input, other)
    return Sub.apply(a, b, alpha)


def rsub(input, other, *, alpha=1):
    _refuse_bool(input, other)
    a, b = binary_operands(input, other)
    return (RsubNumber if is_number(other) else Rsub).apply(b, a, alpha)


def mul(input, other):
    # x * 2.5 on a float tensor: MulNumber (the * operator makes this choice itself, see _tensor_ops._operator)
    if type(other) in _PLAIN_NUMBERS and isinstance(input, Tensor) and input._data.dtype.kind == "f":
        return MulNumber.apply(input, other)
    a, b = binary_operands(input, other)
    return Mul.apply(a, b)


def div(input, other, *, rounding_mode=None):
    if rounding_mode is None:
        # an integer tensor and a number: go to floats first, so the number keeps its value
        # (it would otherwise be cast to the tensor's dtype: -1 next to uint8 is 255)
        input, other = _float_for_division(input, other), _float_for_division(other, input)
    elif rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'. 'trunc' rounds towards zero, 'floor' down.")
    a, b = binary_operands(input, other)
    return Div.apply(a, b) if rounding_mode is None else DivRounded.apply(a, b, rounding_mode)


def _float_for_division(t, other):
    if isinstance(t, Tensor) and is_number(other) and t._data.dtype.kind not in "fc":
        return t.to(_dtype.get_default_dtype())
    return t


def reciprocal(input):
    return Reciprocal.apply(input)


def neg(input):
    return Neg.apply(input)


def pow(input, exponent):
    if isinstance(exponent, Tensor):
        a, b = binary_operands(input, exponent)
        return (Rpow if not isinstance(input, Tensor) else PowTensor).apply(a, b)
    return Pow.apply(input, exponent)
