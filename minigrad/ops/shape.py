"""Ops that move elements around without arithmetic: reshape, transpose, permute, squeeze, unsqueeze,
expand, cat, stack, indexing; plus dtype casts and clone. Each backward moves the gradient back.

Results that are NumPy views of their input are views in torch too: they share the input's version
counter, so an in-place change through either is seen by the checks in backward.
"""
from __future__ import annotations

import builtins
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import wrap_dim, wrap_dims


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
        out = a._data
        _check_key(key, out.ndim)
        try:
            for step in _stages(key):
                _check_advanced(step, out.shape)
                out = out[step]
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


class IndexUnsqueeze(Index):
    _grad_fn_name = "UnsqueezeBackward0"


class Alias(Index):
    """x[...], x[:], x[()]: the same elements, a new view"""
    _grad_fn_name = "AliasBackward0"


class IndexAdd(Function):
    """scatter-add into zeros, the adjoint of indexing (its own gradient is indexing again)"""
    _grad_fn_name, _builtin = "IndexPutBackward0", True

    @staticmethod
    def forward(ctx, grad, key, shape):
        ctx.key = key
        out = np.zeros(shape, dtype=grad._data.dtype)
        *first, last = _stages(key)
        inner = out[first[0]] if first else out  # a view: adding into it adds into out
        if _is_basic(last):
            inner[last] = grad._data
        else:
            np.add.at(inner, last, grad._data)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.key], None, None


class IndexPut(Function):
    """``a[key] = v``: a's gradient is zero where it was overwritten, v's is what landed on it"""
    _grad_fn_name, _builtin = "CopySlices", True  # torch prints torch::autograd::CopySlices

    @classmethod
    def apply(cls, a, key, value):
        if cls is IndexPut:
            cls = _put_class(key, a.shape, value)
        return Function.apply.__func__(cls, a, key, value)

    @staticmethod
    def forward(ctx, a, key, value):
        ctx.key = key
        out = a._data.copy()
        _check_key(key, out.ndim)
        try:
            *first, last = _stages(key)
            inner = out[first[0]] if first else out
            _check_advanced(last, inner.shape)
            _check_put(inner[last].shape, value._data.shape, value._data.dtype, _is_basic(last))
            inner[last] = value._data
        except IndexError as e:
            raise IndexError(_index_message(str(e))) from None
        return out

    @staticmethod
    def backward(ctx, grad):
        kept = grad.clone()
        with_zero = IndexPut.apply(kept, ctx.key, Tensor._make(np.zeros((), grad._data.dtype)))
        return with_zero, None, grad[ctx.key]


class IndexPutAdvanced(IndexPut):
    _grad_fn_name = "IndexPutBackward0"


class Fill(IndexPut):
    _grad_fn_name = "FillBackward3"


class CopyWhole(IndexPut):
    _grad_fn_name = "CopyBackwards"  # torch prints torch::autograd::CopyBackwards


def _put_class(key, shape, value):
    """torch's node for x[key] = v: writing through a view is CopySlices; into x itself it is index_put_,
    fill_ (a 0-d value) or copy_."""
    first = _stages(key)[0]
    items = first if isinstance(first, tuple) else (first,)
    basic = tuple(slice(None) if isinstance(k, np.ndarray) and k.ndim else k for k in items)
    if _index_class(basic, shape) is not Alias:  # a tuple: a lone x[:] = v writes into x itself
        return IndexPut
    if not _is_basic(key):
        return IndexPutAdvanced
    return Fill if value._data.ndim == 0 else CopyWhole


def _check_put(region, value_shape, np_dtype, basic) -> None:
    try:
        np.broadcast_shapes(region, value_shape)
        fits = np.broadcast_shapes(region, value_shape) == tuple(region)
    except ValueError:
        fits = False
    if fits:
        return
    if not basic:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape [{', '.join(map(str, value_shape))}] cannot be broadcast to "
            f"indexing result of shape [{', '.join(map(str, region))}]. The value must have the shape of "
            "the selected elements, or broadcast to it."
        )
    while len(value_shape) > len(region) and value_shape[0] == 1:
        value_shape = value_shape[1:]
    _expanded_shape(value_shape, np_dtype, tuple(region))


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
    return numpy_text.replace(" axis ", " dimension ") + _INDEX_HINT


_INDEX_HINT = ". Valid indices along a dim of size n are 0 to n-1, or -n to -1 counting from the end."


def _check_key(key, ndim: int) -> None:
    """What torch checks before indexing: slice steps, and no more indices than dims."""
    items = key if isinstance(key, tuple) else (key,)
    consumed = 0
    for k in items:
        if isinstance(k, slice):
            if k.step is not None and k.step == 0:
                raise ValueError("slice step cannot be zero. A step of 0 would never move on.")
            if k.step is not None and k.step < 0:
                raise ValueError("step must be greater than zero. minigrad (like torch) has no negative "
                                 "steps; use x.flip(dim) ... or index with a reversed list.")
            consumed += 1
        elif isinstance(k, np.ndarray):
            consumed += k.ndim if k.dtype == np.bool_ else 1
        elif k is not None and k is not Ellipsis:
            consumed += 1
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}. Give at most one index per dim.")


def _check_advanced(key, shape) -> None:
    """torch's checks for tensor indices: masks must fit their dims, integers must be in range.
    Its messages number the dims among the tensor indices, not among all dims."""
    if _is_basic(key):
        return
    items = key if isinstance(key, tuple) else (key,)
    explicit = builtins.sum(k.ndim if isinstance(k, np.ndarray) and k.dtype == np.bool_ else 0 if k is None
                            or k is Ellipsis else 1 for k in items)
    dim = position = 0
    for k in items:
        if k is Ellipsis:
            dim += len(shape) - explicit
        elif k is None:
            continue
        elif isinstance(k, np.ndarray) and k.dtype == np.bool_:
            for j, size in enumerate(k.shape):
                if dim + j < len(shape) and size != shape[dim + j]:
                    raise IndexError(
                        f"The shape of the mask [{', '.join(map(str, k.shape))}] at index {j} does not match "
                        f"the shape of the indexed tensor [{', '.join(map(str, shape))}] at index {dim + j}. "
                        "A mask picks elements by position, so it needs the shape of the dims it covers."
                    )
            dim += k.ndim
            position += k.ndim
        elif isinstance(k, np.ndarray):
            size = shape[dim]
            bad = (k >= size) | (k < -size)
            if bad.any():
                raise IndexError(f"index {k[bad].flat[0]} is out of bounds for dimension {position} with size "
                                 f"{size}" + _INDEX_HINT)
            dim += 1
            position += 1
        else:
            dim += 1


def _is_basic(key) -> bool:
    items = key if isinstance(key, tuple) else (key,)
    return builtins.all(k is None or k is Ellipsis or isinstance(k, (int, slice, np.integer)) for k in items)


def _stages(key) -> tuple:
    """The key as one or two NumPy indexing steps that give torch's result.

    torch applies ints, slices and None first and the tensor indices after; NumPy counts an int next
    to an array as one more array, which moves the result's dims when the arrays are not adjacent
    (x[0, :, [0, 1]] is (4, 2) in torch, (2, 4) in NumPy, for x of shape (3, 4, 5)).
    """
    items = key if isinstance(key, tuple) else (key,)
    if _is_basic(key) or not builtins.any(isinstance(k, (int, np.integer)) for k in items):
        return (key,)
    basic, advanced = [], []
    for k in items:
        if isinstance(k, (int, np.integer)):
            basic.append(k)
        elif isinstance(k, np.ndarray):
            basic.extend([slice(None)] * (k.ndim if k.dtype == np.bool_ else 1))
            advanced.append(k)
        elif k is None:
            basic.append(None)
            advanced.append(slice(None))
        else:  # a slice, or Ellipsis
            basic.append(k)
            advanced.append(k if k is Ellipsis else slice(None))
    return tuple(basic), tuple(advanced)


def _numpy_key(key):
    """Tensors, lists and bools inside an index become the NumPy equivalents."""
    def convert(k):
        if isinstance(k, Tensor):
            if k._data.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors. Positions "
                                 "are whole numbers; convert a float index with .long().")
            if k._data.ndim == 0 and k._data.dtype.kind in "iu":
                return int(k._data)  # a 0-d integer tensor indexes like the int it holds
            return k._data
        if isinstance(k, list):
            return np.asarray(k, dtype=np.int64) if not k else np.asarray(k)  # [] picks nothing
        if isinstance(k, (bool, np.ndarray)):
            return np.asarray(k)
        if not (k is None or k is Ellipsis or isinstance(k, (int, np.integer, slice))):
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
                f"indices (got {type(k).__name__}). Positions are whole numbers; use int(...) or .long()."
            )
        return k

    if isinstance(key, list) and builtins.any(
        isinstance(k, (list, tuple, Tensor, slice)) or k is None or k is Ellipsis for k in key
    ):
        # torch (like old NumPy) reads x[[[0, 1], [1, 0]]] as x[[0, 1], [1, 0]], and warns
        warnings.warn(
            "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in "
            "pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as "
            "tensor index, x[minigrad.tensor(seq)], which will result either in an error or a different result. "
            "Write the index as a tuple (x[a, b]) to say which you mean.",
            UserWarning, stacklevel=4,
        )
        key = tuple(key)
    if isinstance(key, tuple):
        return tuple(convert(k) for k in key)
    return convert(key)


def _keeps_everything(k: slice, length: int) -> bool:
    """torch's test, on the slice as written: a negative start counts as a real slice"""
    return (k.start in (None, 0) and (k.stop is None or k.stop >= length) and k.step in (None, 1))


def _index_class(key, shape):
    """Which of torch's nodes x[key] ends with: torch applies basic indices one by one, left to right
    (skipping slices that keep everything), then any advanced index as one IndexBackward0."""
    if not _is_basic(key):
        return Index
    if isinstance(key, slice):
        return Slice  # a lone slice is always applied, even x[:]
    items = key if isinstance(key, tuple) else (key,)
    consuming = builtins.sum(1 for k in items if k is not None and k is not Ellipsis)
    cls, dim = Alias, 0
    for k in items:
        if k is Ellipsis:
            dim += len(shape) - consuming
        elif k is None:
            cls = IndexUnsqueeze
        elif isinstance(k, slice):
            if not _keeps_everything(k, shape[dim] if dim < len(shape) else 0):
                cls = Slice
            dim += 1
        else:
            cls, dim = Select, dim + 1
    return cls


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
    out = cls.apply(input, shape)
    return out if cls is UnsafeView else _as_view(out, input)


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


_LEGACY_TYPE = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
_EXPAND_HINT = (" expand can only repeat dims of size 1 (or add new leading dims); other sizes must stay as "
                "they are.")


def _expanded_shape(shape, np_dtype, sizes) -> tuple:
    """The shape expand(*sizes) gives, or torch's error."""
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(minigrad.{_LEGACY_TYPE[np.dtype(np_dtype).name]}Tensor{{[{', '.join(map(str, shape))}]}}, "
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
    size = _shape_arg(size)
    if tuple(size) == input.shape:
        return input
    return SumToSize.apply(input, tuple(size))


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


def getitem(input, key):
    key = _numpy_key(key)
    if input.ndim == 0 and _is_basic(key) and not isinstance(key, (tuple,)) and key not in (None, Ellipsis):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number. A 0-d tensor "
                         "holds one number and has no dims to index.")
    cls = _index_class(key, input.shape)
    out = cls.apply(input, key)
    return out if cls is Index else _as_view(out, input)  # tensor indices copy, as in torch


def select(input, dim, index):
    d = wrap_dim(dim, input.ndim)
    if not -input.shape[d] <= index < input.shape[d]:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size [{', '.join(map(str, input.shape))}] at "
            f"dimension {d}" + _INDEX_HINT
        )
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
