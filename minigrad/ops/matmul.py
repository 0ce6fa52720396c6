"""a @ b: the matrix product, under the names torch gives its kernels, with torch's refusals and errors."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function, operator_apply
from ._common import binary_operands, broadcast_shapes
from .shape import _expanded_shape


class MatMul(Function):
    """d(a @ b) = g @ b.T for a, a.T @ g for b (1-d operands treated as in np.matmul)"""
    _grad_fn_name, _builtin = "UnsafeViewBackward0", True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a._data, b._data)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            return grad * b, grad * a
        if b.ndim == 1:  # (..., m, n) @ (n,) -> (..., m)
            g = grad.unsqueeze(-1)
            return g * b, g * a
        if a.ndim == 1:  # (n,) @ (..., n, p) -> (..., p)
            g = grad.unsqueeze(-2)
            return (b * g).sum(-1), a.unsqueeze(-1) * g
        # a product of matrices is the costly case: skip the gradient of an input that needs none
        return (grad @ b.mT if need_a else None), (a.mT @ grad if need_b else None)

    @staticmethod
    def vjp(ctx, grad):
        a, b = ctx.saved_arrays
        if a.ndim != 2 or b.ndim != 2:  # vectors and batches: backward's tensor formula
            return None
        need_a, need_b = ctx.needs_input_grad
        return (grad @ b.T if need_a else None), (a.T @ grad if need_b else None)


# torch reaches a @ b by different kernels depending on the operands' dims; the output's grad_fn is
# named after the last one. Same maths, so these only differ in name.
class Mm(MatMul):
    _grad_fn_name = "MmBackward0"


class Mv(MatMul):
    _grad_fn_name = "MvBackward0"


class Dot(MatMul):
    _grad_fn_name = "DotBackward0"


class VecMat(MatMul):
    _grad_fn_name = "SqueezeBackward4"


class MatBatch(MatMul):
    _grad_fn_name = "CloneBackward0"


class Addmm(Function):
    """d(c + a @ b) = g for c (summed back to its shape), g @ b.T for a, a.T @ g for b (a and b matrices)

    torch's kernel for a layer's x @ W.T + b (nn.functional.linear): one node instead of two."""
    _grad_fn_name, _builtin = "AddmmBackward0", True

    @staticmethod
    def forward(ctx, bias, a, b):
        c, x, y = bias._data, a._data, b._data
        _check_addmm(c, x, y)
        need_a, need_b = ctx.needs_input_grad[1:3]
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return np.add(np.matmul(x, y), c)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad, (None if b is None else grad @ b.mT), (None if a is None else a.mT @ grad)

    @staticmethod
    def vjp(ctx, grad):
        a, b = ctx.saved_arrays
        return grad, (None if b is None else grad @ b.T), (None if a is None else a.T @ grad)


def _check_addmm(c: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    """torch's refusals for addmm, in torch's order: dtypes, matrices, sizes, a bias that does not expand."""
    if x.dtype != y.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_CAP[x.dtype.name]} and "
                           f"{_CAP[y.dtype.name]}." + _SAME_DTYPE)
    if c.dtype != y.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_CAP[c.dtype.name]} and "
                           f"{_CAP[y.dtype.name]}. The bias is added to the product without promotion: "
                           "give it the weight's dtype.")
    for name, m in (("mat1", x), ("mat2", y)):
        if m.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m.ndim}-D tensor. addmm multiplies two "
                               "matrices; reshape the operand to 2-D first.")
    if x.shape[1] != y.shape[0]:
        raise RuntimeError(_matmul_mismatch(x.shape, y.shape, ()))
    _expanded_shape(c.shape, c.dtype, (x.shape[0], y.shape[1]))  # the bias must expand to the product's shape


def _check_matmul(x: np.ndarray, y: np.ndarray, transposed: bool = False) -> None:
    """torch's refusals, in torch's order: 0-d operands, batch broadcasting, mixed dtypes, sizes."""
    if x.ndim == 0 or y.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {x.ndim}D and {y.ndim}D. "
            "Use * to multiply by a scalar."
        )
    batch = ()
    if x.ndim > 2 or y.ndim > 2:
        batch = broadcast_shapes(x.shape[:-2], y.shape[:-2])
    if x.dtype != y.dtype:
        raise RuntimeError(_matmul_dtypes(x, y))
    k_x = x.shape[-1]
    k_y = y.shape[-2] if y.ndim > 1 else y.shape[0]
    if k_x != k_y:
        if transposed:  # torch computed b.mT @ a.mT: its message describes that product
            sb = y.shape
            folded = (int(np.prod(sb[:-2])) * sb[-1], sb[-2])
            raise RuntimeError(_matmul_mismatch(folded, x.shape[::-1], ()))
        raise RuntimeError(_matmul_mismatch(x.shape, y.shape, batch))


_CAP = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
        "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
_C_NAME = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int", "int16": "short int",
           "int8": "signed char", "uint8": "unsigned char", "bool": "bool", "float16": "c10::Half"}
_SAME_DTYPE = " matmul does not promote dtypes: convert one operand first, e.g. a @ b.to(a.dtype)."


def _matmul_dtypes(x, y) -> str:
    a, b = x.dtype.name, y.dtype.name
    if x.ndim == 1 and y.ndim == 1:
        text = f"dot : expected both vectors to have same dtype, but found {_CAP[a]} and {_CAP[b]}"
    elif y.ndim == 1:
        text = f"addmv input tensors must have the same dtype, but got {_CAP[b]}, {_CAP[a]}, and {_CAP[b]}"
    elif y.ndim == 2:
        text = f"expected m1 and m2 to have the same dtype, but got: {_C_NAME[a]} != {_C_NAME[b]}"
    else:
        text = f"expected scalar type {_CAP[a]} but found {_CAP[b]}"
    return text + "." + _SAME_DTYPE


def _matmul_mismatch(sx, sy, batch) -> str:
    rows = int(np.prod(sx[:-1]))  # torch folds a's leading dims into rows before calling mm/mv
    if len(sx) == 1 and len(sy) == 1:
        text = (f"inconsistent tensor size, expected tensor [{sx[0]}] and src [{sy[0]}] to have the same "
                f"number of elements, but got {sx[0]} and {sy[0]} elements respectively")
    elif len(sy) == 1:
        text = f"size mismatch, got input ({rows}), mat ({rows}x{sx[-1]}), vec ({sy[0]})"
    elif len(sy) == 2:
        text = f"mat1 and mat2 shapes cannot be multiplied ({rows}x{sx[-1]} and {sy[0]}x{sy[1]})"
    else:
        n = int(np.prod(batch))
        text = (f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {sx[-1]}] but got: "
                f"[{n}, {sy[-2]}].")
    return text + (" In a @ b the last size of a must equal the size of b's first (1-d b) or "
                   "second-to-last dim.")


_MATMUL_BY_DIMS = {(2, 2): Mm, (2, 1): Mv, (1, 1): Dot, (1, 2): VecMat}
_mm = operator_apply(Mm, 2, tensors=2)


def matmul(input, other):
    a, b = binary_operands(input, other)
    x, y = a._data, b._data
    if x.ndim == 2 == y.ndim and x.shape[1] == y.shape[0] and x.dtype == y.dtype:
        return _mm(a, b)  # matrices that fit (x @ W in every layer): nothing to refuse, no kernel to pick
    # with a 1-d or 2-d a that requires grad and a batch of b, torch works out (b.mT @ a.mT).mT
    transposed = x.ndim <= 2 and y.ndim > 2 and a._requires_grad
    _check_matmul(x, y, transposed)
    cls = _MATMUL_BY_DIMS.get((x.ndim, y.ndim), MatMul)
    if transposed and x.ndim == 2:
        cls = MatBatch  # torch computes this one as (b.mT @ a.mT).mT and copies the result
    return cls.apply(a, b)
