"""Making tensors from data: ``tensor``, ``as_tensor``, ``from_numpy`` (by shape: ``_factories.py``).

``tensor(data)`` reads data in torch's three passes, so that it accepts and refuses what torch does, with
torch's messages: the shape comes from the first element at each depth, the dtype from every element
(promoted pairwise), and the values are then stored one by one, checking each row's length on the way.
"""
from __future__ import annotations

import operator
import warnings
from collections.abc import Mapping

import numpy as np

from . import _dtype
from ._device import is_cpu
from ._tensor import Tensor

_MAX_DIMS = 64
# the C++ type names torch's overflow messages use
_C_NAMES = {
    "bool": "bool", "uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
    "float16": "c10::Half", "float32": "float", "float64": "double",
}


# -- tensor(data): shape, dtype, values ---------------------------------------------------------------
def _is_sequence(obj) -> bool:
    """What CPython calls a sequence (lists, tuples, ranges, strings, arrays), not dicts or sets.

    Tensors and NumPy scalars are treated as single numbers, as torch does.
    """
    if isinstance(obj, (Tensor, np.generic, Mapping)):
        return False
    return hasattr(type(obj), "__getitem__") and hasattr(type(obj), "__len__")


def _sizes(data) -> list:
    """The shape, read from the first element at each depth; the other elements are checked later."""
    sizes = []
    while _is_sequence(data):
        sizes.append(len(data))
        if len(sizes) > _MAX_DIMS:
            raise ValueError(
                f"too many dimensions '{type(data).__name__}'. Tensors hold numbers; text has to be "
                "converted to numbers first."
            )
        if not sizes[-1]:
            break
        data = data[0]
    return sizes


_PLAIN = {float: 2, int: 1, bool: 0}


def _infer(obj) -> _dtype.dtype:
    """The dtype torch would pick for ``obj``: every element counts, promoted pairwise."""
    if isinstance(obj, np.generic):  # before float: np.float64 is also a Python float
        return _dtype.from_numpy(obj.dtype)
    if isinstance(obj, bool):
        return _dtype.bool_
    if isinstance(obj, float):
        return _dtype.get_default_dtype()
    if isinstance(obj, int):
        return _dtype.int64
    if isinstance(obj, Tensor):
        return obj.dtype
    if isinstance(obj, (str, bytes)):
        raise TypeError(
            f"new(): invalid data type '{type(obj).__name__}'. Tensors hold numbers; convert text to "
            "numbers first."
        )
    if isinstance(obj, np.ndarray):
        return _dtype.from_numpy(obj.dtype)
    if _is_sequence(obj):
        if not len(obj):
            return _dtype.get_default_dtype()
        kinds = {_PLAIN.get(type(item), -1) for item in obj}
        if -1 not in kinds:  # a row of plain Python numbers: the common case, decided at once
            return (_dtype.bool_, _dtype.int64, _dtype.get_default_dtype())[max(kinds)]
        result = None
        for item in obj:
            if item is obj:
                raise TypeError("new(): self-referential lists are incompatible. A list that contains itself has no shape.")
            d = _infer(item)
            result = d if result is None else _dtype.promote_types(result, d)
        return result
    if isinstance(obj, complex):
        raise RuntimeError(
            "Could not infer dtype of complex. minigrad has no complex dtypes; use two real tensors."
        )
    raise RuntimeError(
        f"Could not infer dtype of {type(obj).__name__}. A tensor is built from numbers, nested lists of "
        "numbers, NumPy arrays or tensors."
    )


def _tensor_index(t: Tensor) -> int:
    if t._data.dtype.kind not in "iub" or t._data.size != 1:
        raise TypeError(
            "only integer tensors of a single element can be converted to an index. An integer dtype "
            "stores each tensor as one whole number; a float tensor or a longer one does not fit."
        )
    return int(t._data.reshape(()))


def _as_double(obj) -> float:
    """Python's float conversion for numbers only (no parsing of strings), like PyFloat_AsDouble."""
    if isinstance(obj, float):
        return float(obj)
    if isinstance(obj, Tensor):
        if obj._data.size != 1:
            raise ValueError(
                "only one element tensors can be converted to Python scalars. A list of tensors becomes a "
                "tensor only if each holds one number; use minigrad.stack for bigger ones."
            )
        if obj._requires_grad:
            warnings.warn(
                "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                "Consider using tensor.detach() first. The number keeps the value but not the graph.",
                UserWarning, stacklevel=5,
            )
        return float(obj._data.reshape(()))
    if hasattr(type(obj), "__float__"):
        return float(obj)
    if hasattr(type(obj), "__index__"):
        return float(operator.index(obj))
    raise TypeError(f"must be real number, not {type(obj).__name__}. Every element of a float tensor is a number.")


def _index(obj) -> int:
    """operator.index with a sentence on why (Python's own message comes first, as in torch)."""
    try:
        return operator.index(obj)
    except TypeError as exc:
        raise TypeError(f"{exc}. An integer tensor holds whole numbers only.") from None


def _as_long(obj) -> int:
    value = _tensor_index(obj) if isinstance(obj, Tensor) else _index(obj)
    if not -(2**63) <= value < 2**63:
        raise ValueError("Overflow when unpacking long long. An int64 holds integers below 2**63 in size.")
    return value


def _as_bool(obj) -> bool:
    if isinstance(obj, (float, np.bool_)):
        return obj != 0.0  # nan counts as true, as in C
    return (_tensor_index(obj) if isinstance(obj, Tensor) else _index(obj)) != 0


def _converter(d: _dtype.dtype):
    """How one Python element becomes a value of dtype ``d`` (torch's store_scalar)."""
    if d.is_floating_point:
        return _as_double
    if d is _dtype.bool_:
        return _as_bool
    info = np.iinfo(d.np)

    def to_int(obj):
        if isinstance(obj, float):
            if not info.min <= obj <= info.max:  # also catches nan and inf
                raise RuntimeError(
                    f"value cannot be converted to type {d.name} without overflow. {info.min}..{info.max} "
                    f"is the range of {d.name}."
                )
            return int(obj)
        value = _as_long(obj)
        # unsigned types accept negative numbers down to -max and wrap them, as C and torch do
        if value > info.max or value < (-info.max if info.min == 0 else info.min):
            raise RuntimeError(
                f"value cannot be converted to type {d.name} without overflow. {info.min}..{info.max} "
                f"is the range of {d.name}."
            )
        return value

    def row(seq):
        """A whole row of plain ints in range passes as it is: the common case, checked at once."""
        if all(type(x) is int for x in seq) and min(seq) >= lowest and max(seq) <= info.max:
            return seq
        return map(to_int, seq)

    lowest = -info.max if info.min == 0 else info.min
    to_int.row = row
    return to_int


def _store(obj, sizes: list, dim: int, convert, out: list) -> None:
    if dim == len(sizes):
        out.append(convert(obj))
        return
    if isinstance(obj, (list, tuple)):
        seq = obj
    else:
        try:
            seq = list(obj)
        except TypeError:
            raise TypeError(
                "not a sequence. The first row decided how deep the data is; this element is a number where a "
                "list was expected."
            ) from None
    if len(seq) != sizes[dim]:
        raise ValueError(
            f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(seq)}). Every row of a tensor "
            "has the same length; pad or split ragged data."
        )
    if dim + 1 == len(sizes):
        out.extend(convert.row(seq) if hasattr(convert, "row") else map(convert, seq))
    else:
        for item in seq:
            _store(item, sizes, dim + 1, convert, out)


def _cast(array: np.ndarray, d: _dtype.dtype) -> np.ndarray:
    """A copy of ``array`` as ``d``, converting out-of-range values the way torch's C++ casts do."""
    with np.errstate(all="ignore"):
        if array.dtype.kind == "f" and d.np.kind == "u":
            array = array.astype(np.int64)  # -2.5 -> 254 in uint8, as in torch, not 0
        return np.array(array, dtype=d.np, copy=True)


def _values(data, d: _dtype.dtype | None) -> np.ndarray:
    if isinstance(data, (str, bytes)):
        raise TypeError(
            f"new(): invalid data type '{type(data).__name__}'. Tensors hold numbers; convert text to numbers "
            "first."
        )
    if isinstance(data, Tensor):
        return _cast(data._data, d or data.dtype)
    if isinstance(data, np.ndarray):
        return _cast(data, d or _dtype.from_numpy(data.dtype))
    sizes = _sizes(data)
    d = d or _infer(data)
    if 0 in sizes:
        return np.zeros(sizes, d.np)
    out: list = []
    _store(data, sizes, 0, _converter(d), out)
    middle = np.float64 if d.is_floating_point else (np.bool_ if d is _dtype.bool_ else np.int64)
    return _cast(np.array(out, dtype=middle).reshape(sizes), d)


def _flag(fn: str, requires_grad) -> bool:
    if not isinstance(requires_grad, bool):
        raise TypeError(
            f"{fn}(): argument 'requires_grad' must be bool, not {type(requires_grad).__name__}. "
            "Pass True or False."
        )
    return requires_grad


def _check_device(device) -> None:
    if not is_cpu(device):
        raise RuntimeError(f"minigrad runs on the CPU only; device={device!r} is not available.")


def _leaf(array: np.ndarray, requires_grad: bool) -> Tensor:
    if requires_grad and array.dtype.kind != "f":
        raise RuntimeError(
            "Only Tensors of floating point and complex dtype can require gradients. A derivative needs "
            "values that can change a little; create it as float, e.g. with dtype=minigrad.float32."
        )
    return Tensor._make(array, requires_grad)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (numbers, nested lists, arrays or tensors)."""
    d = _dtype.dtype_arg("tensor", dtype)
    _flag("tensor", requires_grad)
    _check_device(device)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
            "sourceTensor.detach().clone().requires_grad_(True), rather than minigrad.tensor(sourceTensor). "
            "minigrad.tensor() always copies the values and leaves the graph behind.",
            UserWarning, stacklevel=2,
        )
    return _leaf(_values(data, d), requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` itself if it already is a tensor of that dtype; shares a NumPy array's memory if it can."""
    d = _dtype.dtype_arg("as_tensor", dtype)
    _check_device(device)
    if isinstance(data, Tensor) and (d is None or data.dtype is d):
        return data
    if isinstance(data, np.ndarray) and (d is None or data.dtype == d.np):
        return from_numpy(data)
    if isinstance(data, Tensor):
        return Tensor._make(_cast(data._data, d))
    return Tensor._make(_values(data, d))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__}). For other data use minigrad.tensor(data).")
    _dtype.from_numpy(array.dtype)
    return Tensor._make(array)
