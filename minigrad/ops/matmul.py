"""a @ b: the matrix product, under the names torch gives its kernels, with torch's refusals and errors."""
from __future__ import annotations

import math

import numpy as np

from .._dtype import CPP_NAMES, SCALAR_NAMES
from ..autograd.function import Function, operator_apply
from ._common import binary_operands, broadcast_shapes
from .shape import SqueezeDimInPlace, UnsafeView, _expanded_shape, expand, reshape, squeeze, unsqueeze


class MatMul(Function):
    """d(a @ b) = g @ b.T for a, a.T @ g for b (1-d operands treated as in np.matmul)

    The formula of torch's product kernels below; matmul() reaches them as torch does."""
    _builtin = True

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


# torch reaches a @ b by different kernels depending on the operands' dims, each a node of its own
# name. Same maths, so these only differ in name.
class Mm(MatMul):
    _grad_fn_name = "MmBackward0"


class Mv(MatMul):
    _grad_fn_name = "MvBackward0"


class Dot(MatMul):
    _grad_fn_name = "DotBackward0"


class Bmm(MatMul):
    _grad_fn_name = "BmmBackward0"


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
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {SCALAR_NAMES[x.dtype.name]} "
                           f"and {SCALAR_NAMES[y.dtype.name]}." + _SAME_DTYPE)
    if c.dtype != y.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {SCALAR_NAMES[c.dtype.name]} "
                           f"and {SCALAR_NAMES[y.dtype.name]}. The bias is added to the product without "
                           "promotion: give it the weight's dtype.")
    for name, m in (("mat1", x), ("mat2", y)):
        if m.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m.ndim}-D tensor. addmm multiplies two "
                               "matrices; reshape the operand to 2-D first.")
    if x.shape[1] != y.shape[0]:
        raise RuntimeError(_matmul_mismatch(x.shape, y.shape, ()))
    _expanded_shape(c.shape, c.dtype, (x.shape[0], y.shape[1]))  # the bias must expand to the product's shape


def _check_matmul(x: np.ndarray, y: np.ndarray, folds: bool) -> None:
    """torch's refusals, in torch's order: 0-d operands, batch broadcasting, mixed dtypes, sizes."""
    if x.ndim == 0 or y.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {x.ndim}D and {y.ndim}D. "
            "Use * to multiply by a scalar."
        )
    if x.ndim > 2 or y.ndim > 2:
        broadcast_shapes(x.shape[:-2], y.shape[:-2])
    if x.dtype != y.dtype:
        raise RuntimeError(_matmul_dtypes(x, y))
    if x.shape[-1] != (y.shape[-2] if y.ndim > 1 else y.shape[0]):
        raise RuntimeError(_matmul_mismatch(x.shape, y.shape, folds))
    if x.dtype == np.bool_:
        raise NotImplementedError(
            f"\"{_kernel(x.ndim, y.ndim, folds)}\" not implemented for 'Bool'. A product of bools would "
            "have to sum them: convert with .long() or .float() first."
        )


def _kernel(x_ndim: int, y_ndim: int, folds: bool) -> str:
    """The name of the kernel torch reaches for a @ b (see matmul), as its messages print it."""
    if x_ndim == 1 and y_ndim == 1:
        return "dot"
    if y_ndim <= 2 and (x_ndim <= 2 or folds):  # torch folds a's leading dims into rows
        return "addmv_impl_cpu" if y_ndim == 1 else "addmm_impl_cpu_"
    return "bmm"


_SAME_DTYPE = " matmul does not promote dtypes: convert one operand first, e.g. a @ b.to(a.dtype)."


def _matmul_dtypes(x, y) -> str:
    a, b = x.dtype.name, y.dtype.name
    short_a, short_b = SCALAR_NAMES[a], SCALAR_NAMES[b]
    if x.ndim == 1 and y.ndim == 1:
        text = f"dot : expected both vectors to have same dtype, but found {short_a} and {short_b}"
    elif y.ndim == 1:
        text = f"addmv input tensors must have the same dtype, but got {short_b}, {short_a}, and {short_b}"
    elif y.ndim == 2:
        text = f"expected m1 and m2 to have the same dtype, but got: {CPP_NAMES[a]} != {CPP_NAMES[b]}"
    else:
        text = f"expected scalar type {short_a} but found {short_b}"
    return text + "." + _SAME_DTYPE


def _matmul_mismatch(sx, sy, folds: bool) -> str:
    """torch's message for sizes that do not fit, from the kernel torch reaches (see matmul)."""
    if folds and len(sx) < len(sy):  # torch multiplied b.mT, folded into rows, by a.t() (or a)
        sx, sy = (math.prod(sy[:-2]) * sy[-1], sy[-2]), sx[::-1]
    if len(sx) == 1 and len(sy) == 1:
        text = (f"inconsistent tensor size, expected tensor [{sx[0]}] and src [{sy[0]}] to have the same "
                f"number of elements, but got {sx[0]} and {sy[0]} elements respectively")
    elif len(sy) <= 2 and (len(sx) <= 2 or folds):
        rows = math.prod(sx[:-1])  # torch folds a's leading dims into rows before calling mm or mv
        if len(sy) == 1:
            text = f"size mismatch, got input ({rows}), mat ({rows}x{sx[-1]}), vec ({sy[0]})"
        else:
            text = f"mat1 and mat2 shapes cannot be multiplied ({rows}x{sx[-1]} and {sy[0]}x{sy[1]})"
    else:
        n = math.prod(broadcast_shapes(sx[:-2], sy[:-2]))
        text = (f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {sx[-1]}] but got: "
                f"[{n}, {sy[-2] if len(sy) > 1 else sy[0]}].")
    return text + (" In a @ b the last size of a must equal the size of b's first (1-d b) or "
                   "second-to-last dim.")


_MATMUL_BY_DIMS = {(2, 2): Mm, (2, 1): Mv, (1, 1): Dot}
_mm = operator_apply(Mm, 2, tensors=2)


def matmul(input, other):
    """a @ b through the kernels torch picks for the operands' dims, so the graph has torch's nodes: dot,
    mv, mm; a vector times a matrix as a row; a batch and a matrix (or vector) folded into one mm (or mv)
    where torch folds them; otherwise batches of matrices, expanded to a common batch, through bmm."""
    a, b = binary_operands(input, other)
    x, y = a._data, b._data
    if x.ndim == 2 == y.ndim and x.shape[1] == y.shape[0] and x.dtype == y.dtype != np.bool_:
        return _mm(a, b)  # matrices that fit (x @ W in every layer): nothing to refuse, no kernel to pick
    if x.ndim == 3 == y.ndim and x.shape[0] != y.shape[0]:
        # a batch of one that requires grad: torch multiplies its one matrix, so that the product folds
        # (the matrix's gradient is then one product, not a batch of products to add up)
        if x.shape[0] == 1 and a._requires_grad:
            return matmul(squeeze(a, 0), b)
        if y.shape[0] == 1 and b._requires_grad:
            return matmul(a, squeeze(b, 0))
    folds = _folds(a, b)
    _check_matmul(x, y, folds)
    if x.ndim == 1 and y.ndim == 2:  # torch: a.unsqueeze(0).mm(b).squeeze_(0)
        return SqueezeDimInPlace.apply(Mm.apply(unsqueeze(a, 0), b), (0,))
    if x.ndim <= 2 and y.ndim <= 2:
        return _MATMUL_BY_DIMS[x.ndim, y.ndim].apply(a, b)
    return _folded(a, b) if folds else _batched(a, b)


def _folds(a, b) -> bool:
    """torch's choice to fold a batch (3-d or more) and a matrix or vector into one mm or mv: when the
    smaller operand requires grad (its gradient is then one product, not a batch of them to add up);
    otherwise when the batch's leading dims are in row order, so that folding them is a view (never for
    a matrix times a batch: the result would need transposing back)."""
    big, small = (a, b) if a.ndim >= b.ndim else (b, a)
    if big.ndim < 3 or small.ndim > 2:
        return False
    if small._requires_grad:
        return True
    if a.ndim == 2:
        return False
    x = big._data if big is a else big._data.swapaxes(-1, -2)  # torch folds b.mT
    return x.size == 0 or all(x.strides[i] == x.strides[i + 1] * x.shape[i + 1] for i in range(x.ndim - 2))


def _folded(a, b):
    """The batch folded into the rows of one matrix: a.reshape(rows, n) @ b, viewed back as a batch.
    With the batch on the right, torch folds b.mT and multiplies it by a.t(), then transposes back."""
    transposed = b.ndim > a.ndim
    big, small = (b.mT, a.t() if a.ndim == 2 else a) if transposed else (a, b)
    *batch, n = big.shape
    product = (Mm if small.ndim == 2 else Mv).apply(reshape(big, math.prod(batch), n), small)
    out = UnsafeView.apply(product, (*batch, *small.shape[1:]))
    return out.mT.contiguous() if transposed and small.ndim == 2 else out


def _batched(a, b):
    """Both operands expanded to their common batch and reshaped into one batch dim for bmm."""
    x, y = a._data, b._data
    n, m1 = x.shape[-2] if x.ndim > 1 else 1, x.shape[-1]
    m2, p = (y.shape[-2], y.shape[-1]) if y.ndim > 1 else (y.shape[0], 1)
    batch = broadcast_shapes(x.shape[:-2], y.shape[:-2])
    count = math.prod(batch)
    left = reshape(expand(a, *batch, n, m1), count, n, m1)
    if y.ndim == 1:  # a vector is a batch of one-column matrices
        product = squeeze(Bmm.apply(left, unsqueeze(reshape(expand(b, *batch, m2), count, m2), 2)), -1)
    else:
        product = Bmm.apply(left, reshape(expand(b, *batch, m2, p), count, m2, p))
    rows, columns = x.shape[-2:-1], y.shape[-1:] if y.ndim > 1 else ()  # a vector's dim is gone
    return UnsafeView.apply(product, (*batch, *rows, *columns))
