"""Making tensors by shape (``zeros``, ``ones``, ``full``, ``eye``), as ranges (``arange``, ``linspace``)
and at random (``rand``, ``randn``, ``randint``, ``randperm``), plus their ``*_like`` forms.

The factories check their arguments the way torch's argument parser does before NumPy sees them.
"""
from __future__ import annotations

import math

import numpy as np

from . import _dtype, _random
from ._creation import _C_NAMES, _cast, _check_device, _flag, _leaf
from ._tensor import Tensor

# -- factories by shape ---------------------------------------------------------------------------------
def _int_arg(value):
    """``value`` as an int if torch's parser would take it as one (ints, NumPy ints, 1-element int tensors)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, Tensor) and value._data.size == 1 and value._data.dtype.kind in "iu":
        return int(value._data.reshape(()))
    return None


def _shape(fn: str, size: tuple, factory: bool = True) -> tuple:
    """Sizes given as ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros([2, 3])``, checked like torch."""
    if not size:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "size". Give a shape, e.g. {fn}(2, 3).')
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    elif len(size) == 1 and _int_arg(size[0]) is None:
        raise TypeError(
            f"{fn}(): argument 'size' (position 1) must be tuple of ints, not {type(size[0]).__name__}. "
            "A shape is a few whole numbers, e.g. (2, 3)."
        )
    elif any(isinstance(s, (tuple, list)) for s in size):
        raise TypeError(
            f"{fn}() takes 1 positional argument but {len(size)} were given. Give the shape once, as "
            "numbers or as one tuple."
        )
    shape = []
    for pos, s in enumerate(size, 1):
        n = _int_arg(s)
        if n is None:
            raise TypeError(
                f"{fn}(): argument 'size' failed to unpack the object at pos {pos} with error \"type must be "
                f"tuple of ints,but got {type(s).__name__}\". A shape is a few whole numbers, e.g. (2, 3)."
            )
        shape.append(n)
    for n in shape:
        if n < 0:
            if fn == "zeros" and factory:
                raise RuntimeError("zeros: Dimension size must be non-negative. A shape cannot have a negative size.")
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {n}: {shape}. A shape cannot have a "
                "negative size."
            )
    return tuple(shape)


def _float_default(fn: str, dtype) -> _dtype.dtype:
    d = _dtype.dtype_arg(fn, dtype)
    return _dtype.get_default_dtype() if d is None else d


def _filled(fn: str, size: tuple, maker, dtype, device, requires_grad) -> Tensor:
    shape = _shape(fn, size)
    d = _float_default(fn, dtype)
    _flag(fn, requires_grad)
    _check_device(device)
    return _leaf(maker(shape, d.np), requires_grad)


def _size_arg(fn: str, size: tuple, kwargs: dict) -> tuple:
    """``size`` may also come as a keyword (``zeros(size=(2, 3))``); nothing else may."""
    for key in kwargs:
        if key != "size":
            raise TypeError(f"{fn}() got an unexpected keyword argument '{key}'. Check its spelling against torch's.")
    if "size" in kwargs:
        if size:
            raise TypeError(f"{fn}() got multiple values for argument 'size'. Give the shape once.")
        return (kwargs["size"],)
    return size


def zeros(*size, out=None, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False,
          **kwargs) -> Tensor:
    return _filled("zeros", _size_arg("zeros", size, kwargs), np.zeros, dtype, device, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False,
         **kwargs) -> Tensor:
    return _filled("ones", _size_arg("ones", size, kwargs), np.ones, dtype, device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False,
          **kwargs) -> Tensor:
    """Uninitialised in torch; minigrad hands out zeros, which is one of the values torch may give."""
    return _filled("empty", _size_arg("empty", size, kwargs), np.zeros, dtype, device, requires_grad)


def _scalar_kind(fn: str, value) -> _dtype.dtype:
    """The dtype torch gives a fill value (a Python or NumPy number, or a 0-d tensor)."""
    if isinstance(value, Tensor) and value._data.ndim == 0:
        value = value.item()
    if isinstance(value, bool):
        return _dtype.bool_
    if isinstance(value, (int, np.integer)):
        return _dtype.int64
    if isinstance(value, (float, np.floating, np.bool_)):
        return _dtype.get_default_dtype()
    raise TypeError(
        f"{fn}(): argument 'fill_value' (position 2) must be Number, not {type(value).__name__}. The fill "
        "value is one number."
    )


def _checked(value, d: _dtype.dtype):
    """A fill value converted to ``d``, refusing what does not fit (torch's checked_convert)."""
    if isinstance(value, Tensor):
        value = value.item()
    if d is _dtype.bool_:
        return bool(value)
    overflow = RuntimeError(
        f"value cannot be converted to type {_C_NAMES[d.name]} without overflow. The fill value must fit "
        f"in {d.name}."
    )
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        value = int(value)
        if not -(2**63) <= value < 2**64:
            raise OverflowError("int too big to convert. Numbers in a tensor are at most 64 bits wide.")
        if value >= 2**63 and (d.is_floating_point or d is not _dtype.int64):
            value = float(value)
        elif not d.is_floating_point:
            info = np.iinfo(d.np)
            if value > info.max or value < (-info.max if info.min == 0 else info.min):
                raise overflow
            return value
    value = float(value)
    if d.is_floating_point:
        finite_max = float(np.finfo(d.np).max)
        if math.isfinite(value) and abs(value) > finite_max:
            raise overflow
        return value
    info = np.iinfo(d.np)
    if not info.min <= value <= info.max:
        raise overflow
    return int(value)


def full(size, fill_value, *, out=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}. Give "
            "the shape as a tuple, e.g. full((2, 3), 7.0)."
        )
    shape = _shape("full", (size,))
    kind = _scalar_kind("full", fill_value)
    d = _dtype.dtype_arg("full", dtype) or kind
    _flag("full", requires_grad)
    _check_device(device)
    value = _checked(fill_value, d)
    with np.errstate(all="ignore"):
        array = np.full(shape, np.array(value).astype(np.int64) if d.np.kind == "u" else value).astype(d.np)
    return _leaf(array, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    for name, pos, value in (("n", 1, n), ("m", 2, m)):
        if value is None and name == "m":
            continue
        if _int_arg(value) is None or isinstance(value, Tensor) and value._data.ndim:
            raise TypeError(
                f"eye(): argument '{name}' (position {pos}) must be int, not {type(value).__name__}. A matrix "
                "has a whole number of rows and columns."
            )
        if _int_arg(value) < 0:
            raise RuntimeError(
                f"{name} must be greater or equal to 0, got {_int_arg(value)}. A matrix cannot have a negative "
                "number of rows or columns."
            )
    d = _float_default("eye", dtype)
    _flag("eye", requires_grad)
    _check_device(device)
    n = _int_arg(n)
    return _leaf(np.eye(n, n if m is None else _int_arg(m), dtype=d.np), requires_grad)


# -- ranges -------------------------------------------------------------------------------------------------
def _number(fn: str, name: str, pos: int, value):
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise TypeError(
                f"{fn}(): argument '{name}' (position {pos}) must be Number, not Tensor. Only a 0-d tensor "
                "stands for one number."
            )
        return value.item()
    if isinstance(value, (bool, int, float, np.integer, np.floating, np.bool_)):
        return value.item() if isinstance(value, np.generic) else value
    raise TypeError(
        f"{fn}(): argument '{name}' (position {pos}) must be Number, not {type(value).__name__}. Range "
        "ends and steps are numbers."
    )


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _c_number(x) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``[start, start + step, ...)`` up to ``end`` (excluded); the length is ceil((end - start) / step)."""
    if end is None:
        start, end = 0, _number("arange", "end", 1, start)
    else:
        start, end = _number("arange", "start", 1, start), _number("arange", "end", 2, end)
    step = _number("arange", "step", 3, step)
    d = _dtype.dtype_arg("arange", dtype)
    if d is None:
        d = _dtype.get_default_dtype() if any(isinstance(v, float) for v in (start, end, step)) else _dtype.int64
    _flag("arange", requires_grad)
    _check_device(device)
    if d is _dtype.bool_:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'. Count with an integer dtype.")
    integral = not d.is_floating_point
    if integral:  # torch computes in int64 for every integer dtype: the arguments are truncated first
        if step and not math.isnan(step) and int(step) == 0:
            raise ValueError("step must be nonzero. An integer arange truncates the step to an integer.")
        start, end, step = (int(v) if math.isfinite(v) else v for v in (start, end, step))
    else:
        start, end, step = float(start), float(end), float(step)
    if not (step > 0 or step < 0):
        raise RuntimeError("step must be nonzero. A range needs a step to move by.")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(
            f"unsupported range: {_c_number(start)} -> {_c_number(end)}. Both ends must be finite numbers."
        )
    if not ((step > 0 and end >= start) or (step < 0 and end <= start)):
        raise RuntimeError(
            "upper bound and lower bound inconsistent with step sign. To count down, give a negative step "
            "and an end below the start."
        )
    if integral:
        sign = 1 if step > 0 else -1
        n = _trunc_div(end - start + step - sign, step)
        values = start + step * np.arange(n, dtype=np.int64)
    else:
        n = int(math.ceil((end - start) / step))
        values = start + step * np.arange(n, dtype=np.float64)
    return _leaf(_cast(values, d), requires_grad)


def _two_sum(x, y):
    """x + y as a rounded sum and its exact error (Knuth)."""
    s = x + y
    bb = s - x
    return s, (x - (s - bb)) + (y - bb)


def _odd_sum(x, y):
    """x + y rounded to odd: inexact results get an odd last bit, so a later rounding is not a double one."""
    s, err = _two_sum(x, y)
    nudge = (err != 0) & ((s.view(np.int64) & 1) == 0)
    return np.where(nudge, np.nextafter(s, np.where(err > 0, np.inf, -np.inf)), s)


def _fma(a: np.ndarray, b: np.ndarray, c: float) -> np.ndarray:
    """a * b + c rounded once, as the fused multiply-add torch's linspace kernel compiles to.

    Boldo and Melquiond's emulation: the exact product as two doubles (Dekker), then an odd-rounded sum.
    """
    split = 134217729.0  # 2**27 + 1: Veltkamp's split of a double into two 26-bit halves
    p = a * b
    ah = a * split - (a * split - a)
    bh = b * split - (b * split - b)
    al, bl = a - ah, b - bh
    p_err = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # p + p_err == a * b exactly
    high, low = _two_sum(np.full_like(p, c), p)
    return high + _odd_sum(low, p_err)


def _linspace_values(start, end, steps: int, d: _dtype.dtype) -> np.ndarray:
    """torch's formula: the first half counts up from start, the second half down from end."""
    idx = np.arange(steps, dtype=np.float64)
    up = idx < steps // 2
    down_idx = steps - idx - 1
    if not d.is_floating_point:
        start, end = _checked(start, d), _checked(end, d)
        if d.np.kind == "u":  # a negative end wraps around first, as C's conversion to unsigned does
            start, end = start % 2**(8 * d.itemsize), end % 2**(8 * d.itemsize)
        step = np.full(steps, (float(end) - float(start)) / (steps - 1))
        values = np.where(up, _fma(step, idx, float(start)), _fma(-step, down_idx, float(end)))
        return _cast(np.trunc(values), d)
    if d is _dtype.float16:  # Half arithmetic rounds after every operation
        h = np.float16
        with np.errstate(all="ignore"):
            s, e = h(start), h(end)
            step = h(h(e - s) / h(steps - 1))
            values = np.where(up, s + step * idx.astype(h), e - step * down_idx.astype(h))
        return values.astype(h)
    real = np.float32 if d is _dtype.float32 else np.float64
    with np.errstate(all="ignore"):
        s, e = real(start), real(end)
        step = real(real(e - s) / real(steps - 1))
        if real is np.float32:  # a float product is exact in double; one odd rounding, then one to float
            first = _odd_sum(float(step) * idx, np.full(steps, float(s)))
            second = _odd_sum(-float(step) * down_idx, np.full(steps, float(e)))
        else:
            a = np.full(steps, float(step))
            first, second = _fma(a, idx, float(s)), _fma(-a, down_idx, float(e))
        values = np.where(up, first, second)
    return values.astype(real)


def linspace(start, end, steps, *, out=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, Tensor) and value._data.ndim:
            raise RuntimeError(
                f"linspace only supports 0-dimensional start and end tensors, but got {name} with "
                f"{value._data.ndim} dimension(s)."
            )
    start, end = _number("linspace", "start", 1, start), _number("linspace", "end", 2, end)
    n = _int_arg(steps)
    if n is None:
        raise TypeError(
            f"linspace(): argument 'steps' (position 3) must be int, not {type(steps).__name__}. It counts "
            "the values to make."
        )
    d = _float_default("linspace", dtype)
    _flag("linspace", requires_grad)
    _check_device(device)
    if n < 0:
        raise RuntimeError("number of steps must be non-negative. It counts the values to make.")
    if d is _dtype.bool_:
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'. Use a number dtype.")
    if n <= 1:
        values = _cast(np.array([start] * n, dtype=np.float64), d)
    else:
        values = _linspace_values(start, end, n, d)
    return _leaf(values, requires_grad)


# -- random ---------------------------------------------------------------------------------------------
def _random_float(fn: str, kernel: str, size: tuple, dtype) -> tuple:
    shape = _shape(fn, size)
    d = _float_default(fn, dtype)
    if not d.is_floating_point:
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{_dtype.SCALAR_NAMES[d.name]}'. Random real numbers need a "
            "floating point dtype."
        )
    return shape, d


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, pin_memory=False,
         requires_grad=False, **kwargs) -> Tensor:
    """Uniform on [0, 1). Seeded by minigrad.manual_seed; the numbers differ from torch's for a seed."""
    shape, d = _random_float("rand", "check_uniform_bounds", _size_arg("rand", size, kwargs), dtype)
    _flag("rand", requires_grad)
    _check_device(device)
    gen = generator or _random.generator()
    if d is _dtype.float16:  # a multiple of 2**-11 stays below 1 when rounded to half precision
        values = (gen.integers(0, 2**11, shape) * 2.0**-11).astype(np.float16)
    else:
        values = gen.random(shape, dtype=d.np)
    return _leaf(values, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, pin_memory=False,
          requires_grad=False, **kwargs) -> Tensor:
    """Standard normal. Seeded by minigrad.manual_seed; the numbers differ from torch's for a seed."""
    shape, d = _random_float("randn", "normal_kernel_cpu", _size_arg("randn", size, kwargs), dtype)
    _flag("randn", requires_grad)
    _check_device(device)
    gen = generator or _random.generator()
    values = gen.standard_normal(shape, dtype=np.float32 if d is _dtype.float16 else d.np)
    return _leaf(values.astype(d.np, copy=False), requires_grad)


_BOUND_NAMES = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int",
                "int32": "int", "int64": "long int"}


def randint(low=None, high=None, size=None, *, generator=None, out=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    """Integers in [low, high) (``low`` defaults to 0): ``randint(high, size)`` or ``randint(low, high, size)``."""
    if size is None and high is not None and low is not None:
        low, high, size = 0, low, high  # randint(high, size)
    elif high is None:
        low, high = 0, low
    if low is None:
        low = 0
    if size is None or high is None:
        raise TypeError(
            "randint() received an invalid combination of arguments. Call it as randint(high, size) or "
            "randint(low, high, size), with the size a tuple such as (3,)."
        )
    for name, pos, value in (("low", 1, low), ("high", 2 if low else 1, high)):
        if _int_arg(value) is None:
            raise TypeError(
                f"randint(): argument '{name}' (position {pos}) must be int, not {type(value).__name__}. "
                "randint draws whole numbers between whole-number bounds."
            )
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            f"randint(): argument 'size' (position {3 if low else 2}) must be tuple of ints, not "
            f"{type(size).__name__}. Give the shape as a tuple, e.g. (3,)."
        )
    low, high = _int_arg(low), _int_arg(high)
    shape = _shape("randint", (size,), factory=False)
    d = _dtype.dtype_arg("randint", dtype) or _dtype.int64
    _flag("randint", requires_grad)
    _check_device(device)
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}. The high end is "
            "excluded, so it must be above low."
        )
    if not d.is_floating_point:
        info = (0, 1) if d is _dtype.bool_ else (np.iinfo(d.np).min, np.iinfo(d.np).max)
        if not info[0] <= low <= info[1]:
            raise RuntimeError(f"from is out of bounds for {_BOUND_NAMES[d.name]}. The bounds must fit in {d.name}.")
        if not info[0] <= high - 1 <= info[1]:
            raise RuntimeError(f"to - 1 is out of bounds for {_BOUND_NAMES[d.name]}. The bounds must fit in {d.name}.")
    gen = generator or _random.generator()
    return _leaf(gen.integers(low, high, shape).astype(d.np), requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A random ordering of 0 .. n-1."""
    count = _int_arg(n)
    if count is None:
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not {type(n).__name__}. It counts the items.")
    _shape("randperm", (count,), factory=False)
    d = _dtype.dtype_arg("randperm", dtype) or _dtype.int64
    _flag("randperm", requires_grad)
    _check_device(device)
    if d is _dtype.bool_:
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'. Use an integer dtype.")
    if count:
        _checked(count - 1, d)
    gen = generator or _random.generator()
    return _leaf(gen.permutation(count).astype(d.np), requires_grad)


# -- *_like ---------------------------------------------------------------------------------------------
def _input(fn: str, input) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}. The new "
            "tensor copies its shape and dtype from a tensor."
        )
    return input


def _like(maker):
    name = maker.__name__ + "_like"

    def like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
        t = _input(name, input)
        d = _dtype.dtype_arg(name, dtype) or t.dtype
        return maker(t.shape, dtype=d, requires_grad=requires_grad, device=device)

    like.__name__ = like.__qualname__ = name
    like.__doc__ = f"``{maker.__name__}`` with ``input``'s shape and dtype."
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
rand_like = _like(rand)
randn_like = _like(randn)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False, memory_format=None) -> Tensor:
    t = _input("full_like", input)
    _scalar_kind("full_like", fill_value)
    d = _dtype.dtype_arg("full_like", dtype) or t.dtype
    return full(tuple(t.shape), fill_value, dtype=d, requires_grad=requires_grad, device=device)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False,
                 memory_format=None) -> Tensor:
    t = _input("randint_like", input)
    if high is None:
        low, high = 0, low
    d = _dtype.dtype_arg("randint_like", dtype) or t.dtype
    return randint(low, high, tuple(t.shape), dtype=d, requires_grad=requires_grad, device=device)
