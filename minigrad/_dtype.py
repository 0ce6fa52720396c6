"""dtypes and torch's type-promotion rules, on top of NumPy's dtypes.

NumPy and torch disagree on promotion (``int64 array * 2.5`` is float64 in NumPy, float32 in torch),
so minigrad decides result dtypes itself, here, and NumPy only computes.
"""
from __future__ import annotations

import numpy as np

# torch's short names of its scalar types, by NumPy's dtype name, as its C++ messages print them
# ("expected scalar type Float", "\"mse_cpu\" not implemented for 'Long'")
SCALAR_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
    "float16": "Half", "float32": "Float", "float64": "Double",
}
# the C++ names of the same types, which a few of torch's messages print ("a gradient with dtype 'double'";
# its overflow messages use the stdint names instead, "int64_t": _creation._C_NAMES)
CPP_NAMES = {
    "bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int", "int32": "int",
    "int64": "long int", "float16": "c10::Half", "float32": "float", "float64": "double",
}


class dtype:
    """A tensor element type, printed like torch's (``minigrad.float32``)."""

    __slots__ = ("name", "np", "is_floating_point", "itemsize", "_rank", "_kind")

    def __init__(self, name: str, np_dtype, kind: int, rank: int):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.is_floating_point = kind == FLOAT
        self._kind = kind  # BOOL < INT < FLOAT: the category that decides promotion
        self._rank = rank  # order inside a category

    def __repr__(self) -> str:
        return f"minigrad.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


BOOL, INT, FLOAT = 0, 1, 2

bool_ = dtype("bool", np.bool_, BOOL, 0)
uint8 = dtype("uint8", np.uint8, INT, 0)
int8 = dtype("int8", np.int8, INT, 1)
int16 = dtype("int16", np.int16, INT, 2)
int32 = dtype("int32", np.int32, INT, 3)
int64 = dtype("int64", np.int64, INT, 4)
float16 = dtype("float16", np.float16, FLOAT, 0)
float32 = dtype("float32", np.float32, FLOAT, 1)
float64 = dtype("float64", np.float64, FLOAT, 2)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_FROM_NUMPY = {d.np: d for d in ALL}


def _by_name(name: str) -> dtype:
    return next(d for d in ALL if d.name == name)


_default_float = float32


def get_default_dtype() -> dtype:
    return _default_float


def set_default_dtype(d: dtype) -> None:
    global _default_float
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(
            "only floating-point types are supported as the default type. The default dtype is what Python "
            f"floats become, so it is float16, float32 or float64, not {d!r}."
        )
    _default_float = d


_TORCH_NUMPY_TYPES = (
    "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, uint16, "
    "uint8, and bool"
)


def _numpy_type_name(np_dtype) -> str:
    kind = np.dtype(np_dtype).type
    return f"{kind.__module__}.{kind.__name__}"


def from_numpy(np_dtype) -> dtype:
    try:
        return _FROM_NUMPY[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        pass
    name = _numpy_type_name(np_dtype)
    if np.dtype(np_dtype).kind in "uc":
        # torch has these (uint16, complex64 ...); minigrad keeps to the nine dtypes a course needs
        raise TypeError(
            f"can't convert np.ndarray of type {name}: minigrad has no such dtype. Its types are float64, "
            "float32, float16, int64, int32, int16, int8, uint8 and bool; convert with array.astype(...)."
        )
    raise TypeError(
        f"can't convert np.ndarray of type {name}. The only supported types are: {_TORCH_NUMPY_TYPES}. "
        "A tensor holds numbers of one fixed type; convert the array with array.astype(...) first "
        "(minigrad itself has no unsigned types beyond uint8 and no complex ones)."
    )


def to_dtype(d) -> dtype:
    """Accept a minigrad dtype, a NumPy dtype or a Python type (``float`` -> float64, as in torch)."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    try:
        return from_numpy(d)
    except TypeError:
        raise TypeError(f"dtype must be a minigrad dtype such as minigrad.float32, got {d!r}") from None


def dtype_arg(fn: str, d) -> dtype | None:
    """The ``dtype=`` argument of a factory function, checked the way torch checks it."""
    if d is None or isinstance(d, dtype):
        return d
    if d in (float, int, bool):
        return to_dtype(d)
    raise TypeError(
        f"{fn}(): argument 'dtype' must be minigrad.dtype, not {type(d).__name__}. Pass one of "
        "minigrad's dtypes, e.g. dtype=minigrad.float64."
    )


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both fit in (torch.promote_types): bool < integers < floating point.

    The one surprise: uint8 and int8 each hold values the other cannot, so together they need int16.
    """
    if a is b:
        return a
    if a._kind != b._kind:
        return a if a._kind > b._kind else b
    if a._kind == INT and uint8 in (a, b):
        other = b if a is uint8 else a
        return int16 if other is int8 else other
    return a if a._rank > b._rank else b


def scalar_dtype(value) -> dtype:
    """The dtype torch gives a Python number when it meets a tensor."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    return _default_float


def _promote_types(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return promote_types(a, b)


def _combine(higher, lower):
    """A group of operands of higher priority decides, unless the lower group is of a higher category."""
    if higher is not None and higher._kind == FLOAT:
        return higher
    if higher is bool_ or (lower is not None and lower._kind == FLOAT):
        return _promote_types(higher, lower)
    return higher if higher is not None else lower


def result_type(*operands) -> dtype:
    """torch.result_type over ``(ndim, dtype)`` pairs; ``ndim`` is -1 for a Python number.

    Tensors with dimensions outrank 0-d tensors, which outrank Python numbers, except when a
    lower-ranked operand is of a higher category (bool < integer < floating point).
    """
    dim = zero = wrapped = None
    for ndim, d in operands:
        if ndim > 0:
            dim = _promote_types(dim, d)
        elif ndim == 0:
            zero = _promote_types(zero, d)
        else:
            wrapped = _promote_types(wrapped, d)
    return _combine(dim, _combine(zero, wrapped))


def _operand(x) -> tuple:
    if hasattr(x, "_data"):  # a Tensor (not imported here: tensors are built on dtypes)
        return x._data.ndim, from_numpy(x._data.dtype)
    if isinstance(x, (bool, int, float, np.number, np.bool_)):
        return -1, scalar_dtype(x)
    raise TypeError(f"result_type() expects tensors or numbers, got {type(x).__name__}")


def result_type_of(tensor, other) -> dtype:
    """torch.result_type(tensor, other): the dtype ``tensor + other`` would have."""
    return result_type(_operand(tensor), _operand(other))
