"""Making tensors: from data (``tensor``), by shape (``zeros``, ``ones`` ...), at random (``rand``, ``randn``).

Data is checked before NumPy sees it, so a ragged list or a string gets torch's error, not a NumPy
traceback from deep inside.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from . import _dtype, _random
from ._tensor import Tensor

def _infer(data, dim: int, shape: list) -> int:
    """Walk nested sequences: check they are rectangular, return the dtype category found."""
    if isinstance(data, Tensor):
        if dim == 0:
            return data.dtype._kind
        if data.numel() != 1 and data.ndim:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return data.dtype._kind
    if isinstance(data, (bool, np.bool_)):
        return _dtype.BOOL
    if isinstance(data, (numbers.Integral, np.integer)):
        return _dtype.INT
    if isinstance(data, (numbers.Real, np.floating)):
        return _dtype.FLOAT
    if isinstance(data, np.ndarray):
        return _dtype.from_numpy(data.dtype)._kind
    if isinstance(data, str):
        if dim == 0:
            raise TypeError(f"new(): invalid data type 'str'. Tensors hold numbers; convert text first.")
        raise ValueError("too many dimensions 'str'. Tensors hold numbers; convert text first.")
    if isinstance(data, (list, tuple)):
        if len(shape) <= dim:
            shape.append(len(data))
        elif shape[dim] != len(data):
            raise ValueError(
                f"expected sequence of length {shape[dim]} at dim {dim} (got {len(data)}). Every row of "
                "a tensor has the same length; pad or split ragged data."
            )
        kind = _dtype.BOOL
        for item in data:
            kind = max(kind, _infer(item, dim + 1, shape))
        if data and len(shape) > dim + 1 and not isinstance(data[0], (list, tuple, np.ndarray, Tensor)):
            raise ValueError(f"expected sequence of length {shape[dim + 1]} at dim {dim + 1} (got scalar)")
        return kind
    raise RuntimeError(
        f"Could not infer dtype of {type(data).__name__}. A tensor is built from numbers, nested lists of "
        "numbers, NumPy arrays or tensors."
    )


def _to_array(data, dtype: _dtype.dtype | None) -> np.ndarray:
    if isinstance(data, Tensor):
        array = data._data.copy()
    elif isinstance(data, np.ndarray):
        d = _dtype.from_numpy(data.dtype)
        array = np.array(data, dtype=d.np, copy=True)
    else:
        kind = _infer(data, 0, [])
        default = {_dtype.BOOL: _dtype.bool_, _dtype.INT: _dtype.int64}.get(kind, _dtype.get_default_dtype())
        if isinstance(data, (np.floating, np.integer, np.bool_)):
            default = _dtype.from_numpy(data.dtype)
        if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
            data = _items(data)
        array = np.array(data, dtype=default.np)
    if dtype is not None:
        array = array.astype(_dtype.to_dtype(dtype).np, copy=False)
    return array


def _flat(data):
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        else:
            yield item


def _items(data):
    if isinstance(data, (list, tuple)):
        return [_items(x) for x in data]
    return data.item() if isinstance(data, Tensor) else data


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (numbers, nested lists, arrays or tensors)."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
            "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning, stacklevel=2,
        )
    _check_device(device)
    t = Tensor._make(_to_array(data, dtype))
    if requires_grad:
        t._require_grad_at_creation()
    return t


def as_tensor(data, dtype=None, device=None) -> Tensor:
    if isinstance(data, Tensor) and (dtype is None or data.dtype is _dtype.to_dtype(dtype)):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == _dtype.to_dtype(dtype).np):
        return from_numpy(data)
    return tensor(data, dtype, device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    _dtype.from_numpy(array.dtype)
    return Tensor._make(array)


def _check_device(device) -> None:
    if device not in (None, "cpu"):
        raise RuntimeError(f"minigrad runs on the CPU only; device={device!r} is not available.")


def _size(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    for s in size:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"size must be a sequence of ints, but got an element of type {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(int(s) for s in size)


def _filled(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(array)
    if requires_grad:
        t._require_grad_at_creation()
    return t


def _float_dtype(dtype) -> np.dtype:
    return (_dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)).np


def zeros(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    _check_device(device)
    return _filled(np.zeros(_size(size), _float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    _check_device(device)
    return _filled(np.ones(_size(size), _float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    _check_device(device)
    return _filled(np.empty(_size(size), _float_dtype(dtype)), requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    _check_device(device)
    if dtype is None:
        dtype = _dtype.scalar_dtype(fill_value)
    return _filled(np.full(_size((size,)), fill_value, _dtype.to_dtype(dtype).np), requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    _check_device(device)
    return _filled(np.eye(n, n if m is None else m, dtype=_float_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    _check_device(device)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        values = (start, end, step)
        dtype = _dtype.int64 if all(isinstance(v, (int, np.integer)) for v in values) else _dtype.get_default_dtype()
    d = _dtype.to_dtype(dtype)
    # compute in float64 like torch, then cast: arange(0, 1, 0.1) has 10 elements in both
    count = int(np.ceil((end - start) / step))
    array = (start + step * np.arange(max(count, 0), dtype=np.float64)).astype(d.np)
    return _filled(array, requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    _check_device(device)
    return _filled(np.linspace(start, end, int(steps), dtype=np.float64).astype(_float_dtype(dtype)), requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None) -> Tensor:
    _check_device(device)
    gen = generator or _random.generator()
    return _filled(gen.random(_size(size)).astype(_float_dtype(dtype)), requires_grad)


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None) -> Tensor:
    _check_device(device)
    gen = generator or _random.generator()
    return _filled(gen.standard_normal(_size(size)).astype(_float_dtype(dtype)), requires_grad)


def randint(low, high=None, size=(), *, dtype=None, device=None, generator=None) -> Tensor:
    _check_device(device)
    if high is None:
        low, high = 0, low
    gen = generator or _random.generator()
    d = _dtype.int64 if dtype is None else _dtype.to_dtype(dtype)
    return Tensor._make(gen.integers(low, high, _size((size,)) if size != () else ()).astype(d.np))


def randperm(n, *, dtype=None, generator=None) -> Tensor:
    gen = generator or _random.generator()
    return Tensor._make(gen.permutation(n).astype((_dtype.int64 if dtype is None else _dtype.to_dtype(dtype)).np))


def _like(maker):
    def like(input, *, dtype=None, requires_grad=False, device=None):
        return maker(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad, device=device)

    like.__name__ = maker.__name__ + "_like"
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
rand_like = _like(rand)
randn_like = _like(randn)


def full_like(input, fill_value, *, dtype=None, requires_grad=False, device=None) -> Tensor:
    return full(input.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad, device=device)

