"""Ops that move elements around without arithmetic: reshape, transpose, permute, squeeze, unsqueeze,
expand, cat, stack, indexing; plus dtype casts and clone. Each backward moves the gradient back.

Results that are NumPy views of their input are views in torch too: they share the input's version
counter, so an in-place change through either is seen by the checks in backward.
"""
from __future__ import annotations

import builtins

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import wrap_dim, wrap_dims


def _as_view(out: Tensor, base: Tensor) -> Tensor:
    # a NumPy result can have a .base and still be a copy (reshape copies when it must): ask for the memory
    if out._data.base is not None and np.may_share_memory(out._data, base._data):
        out._base = base._base if base._base is not None else base
        out._version_counter = base._version_counter
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
        try:
            return x.reshape(shape)
        except ValueError:
            raise RuntimeError(
                f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {x.size}. "
                "A reshape keeps every element, so the sizes must multiply to the same total."
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


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
        return np.swapaxes(a._data, d0, d1)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(*ctx.dims), None, None


class T(Function):
    """t(): transpose of a matrix (a vector or a 0-d tensor stays as it is); the gradient is transposed back"""
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


class SumToSize(Function):
    """sum a broadcast gradient back to a shape (the engine's un-broadcasting); adjoint of expand"""
    _grad_fn_name, _builtin = "SumToSizeBackward0", True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        x = a._data
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(
            i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1
        )
        out = np.sum(x, axis=axes, keepdims=True) if axes else x
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape), None


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


class Index(Function):
    """pick elements: the gradient is added back at the picked places (repeats accumulate)"""
    _grad_fn_name, _builtin = "IndexBackward0", True

    @staticmethod
    def forward(ctx, a, key):
        ctx.shape, ctx.key = a.shape, key
        try:
            out = a._data[key]
        except IndexError as e:
            raise IndexError(_index_message(str(e))) from None
        if type(out) is not np.ndarray:
            # x[0] of a 1-d array is a NumPy scalar, a copy; torch's x[0] is a view of x
            out = a._data[(key if isinstance(key, tuple) else (key,)) + (Ellipsis,)]
        return out

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, ctx.key, ctx.shape), None


class Select(Index):
    _grad_fn_name = "SelectBackward0"


class Slice(Index):
    _grad_fn_name = "SliceBackward0"


class IndexAdd(Function):
    """scatter-add into zeros, the adjoint of indexing (its own gradient is indexing again)"""
    _grad_fn_name, _builtin = "IndexPutBackward0", True

    @staticmethod
    def forward(ctx, grad, key, shape):
        ctx.key = key
        out = np.zeros(shape, dtype=grad._data.dtype)
        if _is_basic(key):
            out[key] = grad._data
        else:
            np.add.at(out, key, grad._data)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.key], None, None


class IndexPut(Function):
    """``a[key] = v``: a's gradient is zero where it was overwritten, v's is what landed on it"""
    _grad_fn_name, _builtin = "CopySlices", True

    @staticmethod
    def forward(ctx, a, key, value):
        ctx.key = key
        out = a._data.copy()
        try:
            out[key] = value._data
        except IndexError as e:
            raise IndexError(_index_message(str(e))) from None
        except ValueError as e:
            raise RuntimeError(f"shape mismatch in indexed assignment: {e}") from None
        return out

    @staticmethod
    def backward(ctx, grad):
        kept = grad.clone()
        with_zero = IndexPut.apply(kept, ctx.key, Tensor._make(np.zeros((), grad._data.dtype)))
        return with_zero, None, grad[ctx.key]


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


# -- helpers for indexing ---------------------------------------------------------------------------
def _index_message(numpy_text: str) -> str:
    return numpy_text.replace(" axis ", " dimension ")


def _is_basic(key) -> bool:
    items = key if isinstance(key, tuple) else (key,)
    return builtins.all(k is None or k is Ellipsis or isinstance(k, (int, slice, np.integer)) for k in items)


def _numpy_key(key):
    """Tensors, lists and bools inside an index become the NumPy equivalents."""
    def convert(k):
        if isinstance(k, Tensor):
            if k._data.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            return k._data
        if isinstance(k, list):
            return np.asarray(k)
        if isinstance(k, bool):
            return np.asarray(k)
        return k

    if isinstance(key, tuple):
        return tuple(convert(k) for k in key)
    return convert(key)


def _index_class(key):
    items = [k for k in (key if isinstance(key, tuple) else (key,)) if not (isinstance(k, slice) and k == slice(None))]
    if not _is_basic(key) or not items:
        return Index if items else Slice
    last = items[-1]
    if isinstance(last, (int, np.integer)):
        return Select
    if isinstance(last, slice):
        return Slice
    return Index


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
    else:
        cls = ReshapeAlias if _viewable(x, shape) else UnsafeView
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
            f"len(dims) = {len(dims)}"
        )
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
    sizes = _shape_arg(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError(
            f"expand(torch.FloatTensor{{[{', '.join(map(str, input.shape))}]}}, size=[{', '.join(map(str, sizes))}]): "
            "the number of sizes provided ({}) must be greater or equal to the number of dimensions in the "
            "tensor ({})".format(len(sizes), input.ndim)
        )
    lead = len(sizes) - input.ndim
    target = []
    for i, s in enumerate(sizes):
        current = input.shape[i - lead] if i >= lead else 1
        if s == -1:
            s = current
        elif current != 1 and s != current:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({current}) at "
                f"non-singleton dimension {i}.  Target sizes: [{', '.join(map(str, sizes))}].  Tensor "
                f"sizes: [{', '.join(map(str, input.shape))}]"
            )
        target.append(s)
    return _as_view(Expand.apply(input, tuple(target)), input)


def sum_to_size(input, *size):
    size = _shape_arg(size)
    if tuple(size) == input.shape:
        return input
    return SumToSize.apply(input, tuple(size))


def cat(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat(): expected a non-empty list of Tensors")
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
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got [{', '.join(map(str, tensors[0].shape))}] "
                f"at entry 0 and [{', '.join(map(str, t.shape))}] at entry {i}"
            )
    return Stack.apply(wrap_dim(dim, tensors[0].ndim + 1), *tensors)


def getitem(input, key):
    key = _numpy_key(key)
    if input.ndim == 0 and _is_basic(key) and not isinstance(key, (tuple,)) and key not in (None, Ellipsis):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    return _as_view(_index_class(key).apply(input, key), input)


def select(input, dim, index):
    d = wrap_dim(dim, input.ndim)
    return getitem(input, (slice(None),) * d + (index,))


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
