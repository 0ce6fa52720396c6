"""Ops that move elements around without arithmetic: reshape, transpose, permute, squeeze, unsqueeze,
expand, cat, stack; plus dtype casts and clone. Each backward moves the gradient back. (Indexing is
in indexing.py.)

Results that are NumPy views of their input are views in torch too: they share the input's version
counter, so an in-place change through either is seen by the checks in backward.
"""
from __future__ import annotations

import builtins
import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import wrap_dim, wrap_dims
from .reduction import Sum, SumAll


def _as_view(out: Tensor, base: Tensor) -> Tensor:
    # a NumPy result can have a .base and still be a copy (reshape copies when it must): ask for the memory
    x, b = out._data, base._data
    if x is b or (x.base is not None and (x.size == 0 or np.may_share_memory(x, b))):
        out._base = base._base if base._base is not None else base
        out._version_counter = base._version_counter
        if base._requires_grad and not out._requires_grad:
            # made under no_grad: torch still marks a view of a tensor that requires grad as requiring it
            out._requires_grad = True
    return out


def _shape_arg(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Tensor)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


class View(Function):
    """reshape: the gradient is reshaped back"""
    _grad_fn_name, _builtin = "ViewBackward0", True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        x = a._data
        _check_new_shape(shape, x.size)
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


def _check_new_shape(shape, size: int) -> None:
    if math.prod(shape) == size and builtins.min(shape, default=0) >= 0:
        return  # sizes that multiply to the total: nothing to refuse (and no message to build)
    text = f"[{', '.join(map(str, shape))}]"
    if builtins.sum(1 for s in shape if s == -1) > 1:
        raise RuntimeError("only one dimension can be inferred. -1 means 'whatever size is left over', "
                           "which can only be worked out for one dim.")
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {text}. Sizes are "
                               "positive, or -1 for the one dim to work out.")
    known = int(np.prod([s for s in shape if s != -1]))
    if (known != size) if -1 not in shape else (known == 0 or size % known):
        raise RuntimeError(
            f"shape '{text}' is invalid for input of size {size}. A reshape keeps every element, so the "
            "sizes must multiply to the same total."
        )


class ReshapeAlias(View):
    """reshape of a tensor whose elements are not in row order, when no copy is needed after all"""
    _grad_fn_name = "ReshapeAliasBackward0"


class UnsafeView(View):
    """reshape that had to copy (the input's elements were not in row order); same gradient as View"""
    _grad_fn_name = "UnsafeViewBackward0"


class Transpose(Function):
    """swap two dims: swap them back in the gradient"""
    _grad_fn_name, _builtin = "TransposeBackward0", True

    @staticmethod
    def forward(ctx, a, d0, d1):
        ctx.dims = (d0, d1)
        return np.swapaxes(a._data, d0, d1) if a._data.ndim else a._data[...]

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(*ctx.dims), None, None


class T(Function):
    """t(): transpose of a matrix (a vector or a 0-d tensor stays as it is); the gradient goes back"""
    _grad_fn_name, _builtin = "TBackward0", True

    @staticmethod
    def forward(ctx, a):
        return a._data.T

    @staticmethod
    def backward(ctx, grad):
        return grad.t()


class Permute(Function):
    """reorder dims: the gradient takes the inverse order"""
    _grad_fn_name, _builtin = "PermuteBackward0", True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.inverse = tuple(np.argsort(dims))
        return np.transpose(a._data, dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(ctx.inverse), None


class Squeeze(Function):
    """drop size-1 dims: the gradient gets them back"""
    _grad_fn_name, _builtin = "SqueezeBackward1", True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.shape = a.shape
        return np.squeeze(a._data, axis=dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


class SqueezeAll(Squeeze):
    _grad_fn_name = "SqueezeBackward0"


class SqueezeDims(Squeeze):
    _grad_fn_name = "SqueezeBackward2"


class SqueezeDimInPlace(Squeeze):
    """squeeze_(dim): how torch's own code drops a dim it added (a vector times a matrix)"""
    _grad_fn_name = "SqueezeBackward4"


class Unsqueeze(Function):
    """insert a size-1 dim: the gradient drops it"""
    _grad_fn_name, _builtin = "UnsqueezeBackward0", True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        return np.expand_dims(a._data, dim)

    @staticmethod
    def backward(ctx, grad):
        return grad.squeeze(ctx.dim), None


class Expand(Function):
    """repeat along size-1 dims: the gradient is summed back over them"""
    _grad_fn_name, _builtin = "ExpandBackward0", True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return np.broadcast_to(a._data, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.sum_to_size(ctx.shape), None


class Cat(Function):
    """join along a dim: the gradient is cut into the same pieces"""
    _grad_fn_name, _builtin = "CatBackward0", True

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        # 1-d empty tensors are accepted next to anything (an old torch convention) and skipped
        ctx.sizes = [None if _legacy_empty(t) else t.shape[dim] for t in tensors]
        common = _dtype.result_type(*((t.ndim, t.dtype) for t in tensors)).np
        arrays = [t._data.astype(common, copy=False) for t in tensors if not _legacy_empty(t)]
        if not arrays:
            return np.zeros((0,), dtype=common)
        return np.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        pieces, start = [], 0
        for size in ctx.sizes:
            if size is None:
                pieces.append(Tensor._make(np.zeros((0,), dtype=grad._data.dtype)))
                continue
            index = (slice(None),) * ctx.dim + (slice(start, start + size),)
            pieces.append(grad[index])
            start += size
        return (None, *pieces)


def _legacy_empty(t) -> bool:
    return t._data.shape == (0,)


class Stack(Function):
    """join along a new dim: the gradient is split along it"""
    _grad_fn_name, _builtin = "StackBackward0", True

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        common = _dtype.result_type(*((t.ndim, t.dtype) for t in tensors)).np
        return np.stack([t._data.astype(common, copy=False) for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return (None, *(grad.select(ctx.dim, i) for i in range(grad.shape[ctx.dim])))


class ToCopy(Function):
    """change dtype: the gradient is cast back"""
    _grad_fn_name, _builtin = "ToCopyBackward0", True

    @staticmethod
    def forward(ctx, a, np_dtype):
        ctx.dtype = a._data.dtype
        return a._data.astype(np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(_dtype.from_numpy(ctx.dtype)), None


class Clone(Function):
    """a copy: the gradient passes unchanged"""
    _grad_fn_name, _builtin = "CloneBackward0", True

    @staticmethod
    def forward(ctx, a):
        return a._data.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


# -- functions ------------------------------------------------------------------------------------------
def _viewable(x: np.ndarray, shape) -> bool:
    """Can NumPy give this shape without copying? (It refuses to set .shape exactly when it would copy.)"""
    try:
        np.ndarray.view(x).shape = shape
        return True
    except (AttributeError, ValueError):
        return False


def reshape(input, *shape):
    shape = _shape_arg(shape)
    x = input._data
    if x.flags.c_contiguous:
        cls = View
    elif _viewable(x, shape):
        cls = ReshapeAlias
    else:  # as torch: a copy in row order first, whose reshape is a view, but of the copy
        return UnsafeView.apply(clone(input), shape)
    return _as_view(cls.apply(input, shape), input)


def view(input, *shape):
    shape = _shape_arg(shape)
    if not input._data.flags.c_contiguous and input._data.size > 1:
        try:
            np.ndarray.view(input._data).shape = shape  # NumPy refuses exactly when a copy would be needed
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one dimension "
                "spans across two contiguous subspaces). Use .reshape(...) instead. A transposed tensor's "
                "elements are not in row order, so they cannot be re-read in a new shape without a copy."
            ) from None
        except ValueError:
            pass
    return _as_view(View.apply(input, shape), input)


def flatten(input, start_dim=0, end_dim=-1):
    if input.ndim == 0:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, input.ndim), wrap_dim(end_dim, input.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim. flatten merges "
                           "the dims from start_dim to end_dim, in that order.")
    if s == e:
        return input  # nothing to merge: torch hands back the tensor itself
    shape = input.shape
    middle = int(np.prod(shape[s:e + 1]))
    return reshape(input, tuple(shape[:s]) + (middle,) + tuple(shape[e + 1:]))


def transpose(input, dim0, dim1):
    d0, d1 = wrap_dim(dim0, input.ndim), wrap_dim(dim1, input.ndim)
    return _as_view(Transpose.apply(input, d0, d1), input)


def t(input):
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D. "
                           "Use transpose(dim0, dim1) or permute(...) for more dimensions.")
    return _as_view(T.apply(input), input)


def permute(input, *dims):
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims". Pass the new order of '
                        "the dims, e.g. x.permute(1, 0); for a 0-d tensor, x.permute(()).")
    dims = _shape_arg(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the length of "
            f"the desired ordering of dimensions i.e. input.dim() = {input.ndim} is not equal to "
            f"len(dims) = {len(dims)}. permute needs every dim exactly once, in the new order."
        )
    wrapped = [wrap_dim(d, input.ndim) for d in dims]
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError("permute(): duplicate dims are not allowed. permute needs every dim exactly once, "
                           "in the new order.")
    return _as_view(Permute.apply(input, wrap_dims(dims, input.ndim)), input)


def squeeze(input, dim=None):
    if dim is None:
        dims = tuple(i for i, s in enumerate(input.shape) if s == 1)
        return _as_view(SqueezeAll.apply(input, dims), input)
    cls = Squeeze if isinstance(dim, (int, np.integer)) else SqueezeDims
    dims = tuple(d for d in wrap_dims(dim, input.ndim) if input.ndim and input.shape[d] == 1)
    return _as_view(cls.apply(input, dims), input)


def unsqueeze(input, dim):
    return _as_view(Unsqueeze.apply(input, wrap_dim(dim, input.ndim + 1)), input)


def expand(input, *sizes):
    if not sizes:
        raise TypeError('expand() missing 1 required positional arguments: "size". Pass the target shape, '
                        "e.g. x.expand(3, 4), with -1 to keep a dim's size.")
    target = _expanded_shape(input.shape, input._data.dtype, _shape_arg(sizes))
    return _as_view(Expand.apply(input, target), input)


_EXPAND_HINT = (" expand can only repeat dims of size 1 (or add new leading dims); other sizes must stay as "
                "they are.")


def _expanded_shape(shape, np_dtype, sizes) -> tuple:
    """The shape expand(*sizes) gives, or torch's error."""
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(minigrad.{_dtype.SCALAR_NAMES[np.dtype(np_dtype).name]}Tensor"
            f"{{[{', '.join(map(str, shape))}]}}, "
            f"size=[{', '.join(map(str, sizes))}]): the number of sizes provided ({len(sizes)}) must be greater "
            f"or equal to the number of dimensions in the tensor ({len(shape)})." + _EXPAND_HINT
        )
    lead = len(sizes) - len(shape)
    target = []
    for i, size in enumerate(sizes):
        if i < lead:
            if size < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({size}) isn't allowed in a leading, non-existing "
                    f"dimension {i}. A new leading dim has no size to keep: give it one."
                )
            target.append(size)
            continue
        current = shape[i - lead]
        if size == -1:
            size = current
        elif current != 1 and size != current:
            raise RuntimeError(
                f"The expanded size of the tensor ({size}) must match the existing size ({current}) at "
                f"non-singleton dimension {i}.  Target sizes: [{', '.join(map(str, sizes))}].  Tensor "
                f"sizes: [{', '.join(map(str, shape))}]." + _EXPAND_HINT
            )
        target.append(size)
    return tuple(target)


def sum_to_size(input, *size):
    """The sum over the dims that broadcasting to ``input``'s shape would add or stretch (a broadcast
    input's gradient), as torch computes it: a sum keeping the dims, then a view without the added ones."""
    size = _shape_arg(size)
    if size == input.shape:
        return input
    added = input.ndim - len(size)
    if added < 0 or builtins.any(n != 1 and n != m for n, m in zip(size, input.shape[added:])):
        raise RuntimeError(f"size {{[{', '.join(map(str, size))}]}} is not expandable to size "
                           f"{{[{', '.join(map(str, input.shape))}]}}. The result must broadcast back to the "
                           "tensor's shape: its dims are 1 or the tensor's own.")
    if not size:
        return SumAll.apply(input, tuple(range(input.ndim)), False, None)
    dims = (*range(added), *(added + i for i, n in enumerate(size) if n == 1 and input.shape[added + i] != 1))
    total = Sum.apply(input, dims, True, None) if dims else input
    return View.apply(total, size) if added else total  # (a view of the sum, which nobody else sees)


def cat(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise ValueError("minigrad.cat(): expected a non-empty list of Tensors. Pass a list with at least "
                         "one tensor.")
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(
                f"zero-dimensional tensor (at position {i}) cannot be concatenated. A 0-d tensor has no dim "
                "to join along; unsqueeze it to 1-d first, or use stack."
            )
    kept = [(i, t) for i, t in enumerate(tensors) if not _legacy_empty(t)]
    if not kept:
        return Cat.apply(wrap_dim(dim, 1), *tensors)
    first = kept[0][1]
    d = wrap_dim(dim, first.ndim)
    for i, t in kept:
        if t.ndim != first.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {first.ndim} and {t.ndim}. cat joins "
                "along an existing dim; unsqueeze the smaller tensor (or use stack for a new dim)."
            )
        for k in range(first.ndim):
            if k != d and t.shape[k] != first.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {first.shape[k]} "
                    f"but got size {t.shape[k]} for tensor number {i} in the list. Only the dim being "
                    "joined may differ; every other size must agree."
                )
    return Cat.apply(d, *tensors)


concat = concatenate = cat


def stack(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList. Pass a list with at least one tensor.")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got [{', '.join(map(str, tensors[0].shape))}] "
                f"at entry 0 and [{', '.join(map(str, t.shape))}] at entry {i}. stack puts tensors side "
                "by side along a new dim, so they must all have the same shape."
            )
    return Stack.apply(wrap_dim(dim, tensors[0].ndim + 1), *tensors)


def to_dtype(input, dtype):
    d = _dtype.to_dtype(dtype)
    if input._data.dtype == d.np:
        return input
    if input.requires_grad and not d.is_floating_point:
        from ..autograd import grad_mode

        if grad_mode.is_grad_enabled():
            return Tensor._make(input._data.astype(d.np))
    return ToCopy.apply(input, d.np)


def clone(input):
    return Clone.apply(input)
