"""Indexing: x[key] and x[key] = value, with torch's rules where NumPy's differ.

Basic keys (ints, slices, None, ...) give views; tensor and list keys give copies. Each backward puts
the gradient back where the elements came from, and repeated indices add up (``np.add.at``).
"""
from __future__ import annotations

import builtins
import warnings

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ._common import wrap_dim
from .shape import _as_view, _expanded_shape


class Pick(Function):
    """pick elements: the gradient is added back at the picked places (repeats accumulate)

    With ints, slices and None (torch's basic indexing), one of the nodes below; with index tensors,
    Index."""
    _builtin = True

    @staticmethod
    def forward(ctx, a, key):
        ctx.shape, ctx.key = a.shape, key
        out = a._data
        _check_key(key, out.ndim)
        try:
            for step in _stages(key, out.ndim):
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


class Index(Pick):
    """x[index tensors]: torch saves the index tensors, and backward frees them (a second backward is
    an error, where one through ints and slices is not)"""
    _grad_fn_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, a, key):
        ctx.save_for_backward()
        return Pick.forward(ctx, a, key)

    @staticmethod
    def backward(ctx, grad):
        ctx.check_not_freed()
        return Pick.backward(ctx, grad)


class Select(Pick):
    _grad_fn_name = "SelectBackward0"


class Slice(Pick):
    _grad_fn_name = "SliceBackward0"


class IndexUnsqueeze(Pick):
    _grad_fn_name = "UnsqueezeBackward0"


class Alias(Pick):
    """x[...], x[:], x[()]: the same elements, a new view"""
    _grad_fn_name = "AliasBackward0"


class IndexAdd(Function):
    """scatter-add into zeros, the adjoint of indexing (its own gradient is indexing again)"""
    _grad_fn_name, _builtin = "IndexPutBackward0", True

    @staticmethod
    def forward(ctx, grad, key, shape):
        ctx.key = key
        out = np.zeros(shape, dtype=grad._data.dtype)
        *first, last = _stages(key, len(shape))
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
        # torch's CopySlices and index_put_ keep what their backward needs (the view's geometry, the
        # index tensors) and free it after a backward: a second one is an error there
        ctx.save_for_backward()
        return _put(ctx, a, key, value)

    @staticmethod
    def backward(ctx, grad):
        ctx.check_not_freed()
        kept = grad.clone()
        with_zero = IndexPut.apply(kept, ctx.key, Tensor._make(np.zeros((), grad._data.dtype)))
        return with_zero, None, grad[ctx.key]


class IndexPutAdvanced(IndexPut):
    _grad_fn_name = "IndexPutBackward0"


class Fill(IndexPut):
    _grad_fn_name = "FillBackward3"

    @staticmethod
    def forward(ctx, a, key, value):
        return _put(ctx, a, key, value)  # fill_ keeps nothing: a second backward is fine


class CopyWhole(Fill):
    _grad_fn_name = "CopyBackwards"  # torch prints torch::autograd::CopyBackwards


def _put(ctx, a, key, value):
    ctx.key = key
    out = a._data.copy()
    _check_key(key, out.ndim)
    try:
        *first, last = _stages(key, out.ndim)
        inner = out[first[0]] if first else out
        _check_advanced(last, inner.shape)
        _check_put(inner[last].shape, value._data.shape, value._data.dtype, _is_basic(last))
        inner[last] = value._data
    except IndexError as e:
        raise IndexError(_index_message(str(e))) from None
    return out


def _put_class(key, shape, value):
    """torch's node for x[key] = v: writing through a view is CopySlices; into x itself it is index_put_,
    fill_ (a 0-d value) or copy_."""
    first = _stages(key, len(shape))[0]
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


def _spelled_out(items: tuple, ndim: int) -> tuple:
    """`...` written as the `:`s it stands for: NumPy counts even an empty `...` as a gap between
    tensor indices (moving their dims to the front), torch does not."""
    at = next((i for i, k in enumerate(items) if k is Ellipsis), None)  # `in` would compare arrays
    if at is None:
        return items
    consumed = builtins.sum(k.ndim if isinstance(k, np.ndarray) and k.dtype == np.bool_ else 1
                            for k in items if k is not None and k is not Ellipsis)
    if consumed > ndim:
        return items  # too many indices: NumPy's own error says so
    return items[:at] + (slice(None),) * (ndim - consumed) + items[at + 1:]


def _stages(key, ndim: int) -> tuple:
    """The key as one or two NumPy indexing steps that give torch's result.

    torch applies ints, slices and None first and the tensor indices after; NumPy counts an int next
    to an array as one more array, which moves the result's dims when the arrays are not adjacent
    (x[0, :, [0, 1]] is (4, 2) in torch, (2, 4) in NumPy, for x of shape (3, 4, 5)).
    """
    if _is_basic(key):
        return (key,)
    items = _spelled_out(key if isinstance(key, tuple) else (key,), ndim)
    if not builtins.any(isinstance(k, (int, np.integer)) for k in items):
        return (items,)
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
def getitem(input, key):
    key = _numpy_key(key)
    if input.ndim == 0 and _is_basic(key) and not isinstance(key, (tuple,)) and key not in (None, Ellipsis):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number. A 0-d tensor "
                         "holds one number and has no dims to index.")
    if isinstance(key, tuple):
        return _index_in_steps(input, key)
    cls = _index_class(key, input.shape)
    out = cls.apply(input, key)
    return out if cls is Index else _as_view(out, input)  # tensor indices copy, as in torch


def _index_in_steps(input, items: tuple):
    """x[i, j, ...] as torch applies it, each step a node: every int, slice and None in turn, on the dim
    it reaches (a slice that keeps everything is skipped), then all tensor indices at once (torch's
    IndexBackward0). With nothing to do, the result is x again, under a new name (AliasBackward0)."""
    _check_key(items, input.ndim)
    consuming = builtins.sum(k.ndim if isinstance(k, np.ndarray) and k.dtype == np.bool_ else 1
                             for k in items if k is not None and k is not Ellipsis)
    result, dim, tensor_key = input, 0, []  # tensor_key: the tensor indices, on the dims of the result
    for position, k in enumerate(items):
        if k is Ellipsis:
            skipped = input.ndim - consuming
            tensor_key += [slice(None)] * skipped
            dim += skipped
        elif isinstance(k, np.ndarray):
            tensor_key.append(k)
            dim += k.ndim if k.dtype == np.bool_ else 1
        elif isinstance(k, slice) or k is None:
            if k is None or not _keeps_everything(k, result.shape[dim]):
                step = IndexUnsqueeze if k is None else Slice
                result = _as_view(step.apply(result, _at(dim, k)), result)
            tensor_key.append(slice(None))
            dim += 1
        else:  # an int: its dim is gone
            size = result.shape[dim]
            if not -size <= k < size:
                raise IndexError(f"index {k} is out of bounds for dimension {position} with size {size}"
                                 + _INDEX_HINT)
            result = _as_view(Select.apply(result, _at(dim, k)), result)
    if not builtins.any(isinstance(k, np.ndarray) for k in tensor_key):
        return result if result is not input else _as_view(Alias.apply(input, ()), input)
    return Index.apply(result, tuple(tensor_key))


def _at(dim: int, k) -> tuple:
    """The key that indexes dim ``dim`` with k and leaves the others as they are."""
    return (slice(None),) * dim + (k,)


def select(input, dim, index):
    d = wrap_dim(dim, input.ndim)
    if not -input.shape[d] <= index < input.shape[d]:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size [{', '.join(map(str, input.shape))}] at "
            f"dimension {d}" + _INDEX_HINT
        )
    return getitem(input, (slice(None),) * d + (index,))
