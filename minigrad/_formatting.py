"""Printing tensors the way torch does, so that lesson output looks the same on both engines.

The rules: floats whose values are all whole print as ``1.``; otherwise with 4 decimals; scientific
notation when values span more than 1000x, exceed 1e8, or go below 1e-4. All elements share one width.
More than 1000 elements are summarised with ``...`` (3 items at each edge).
"""
from __future__ import annotations

import math

import numpy as np

PRECISION, LINEWIDTH, THRESHOLD, EDGEITEMS = 4, 80, 1000, 3


class _Formatter:
    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        flat = values.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.width = max(self.width, len(str(v)))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:
            return
        magnitudes = np.abs(finite)
        lo, hi = magnitudes.min(), magnitudes.max()
        with np.errstate(over="ignore"):  # 1e300 / 1e-300 is inf, and inf > 1000 as in torch
            ratio = hi / lo
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if self.int_mode:
            self.sci_mode = ratio > 1000.0 or hi > 1.0e8
            texts = [f"{v:.{PRECISION}e}" if self.sci_mode else f"{v:.0f}." for v in finite.tolist()]
        else:
            self.sci_mode = ratio > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
            spec = f".{PRECISION}{'e' if self.sci_mode else 'f'}"
            texts = [format(v, spec) for v in finite.tolist()]
        self.width = max(self.width, max(map(len, texts)))

    def format(self, value) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.width}.{PRECISION}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{PRECISION}f}"
        return " " * (self.width - len(text)) + text


def _summarised(values: np.ndarray) -> np.ndarray:
    """Only the edge items that will be printed, so the width is computed from them alone."""
    if values.ndim == 0:
        return values
    if values.shape[0] > 2 * EDGEITEMS:
        values = np.concatenate([values[:EDGEITEMS], values[-EDGEITEMS:]])
    if values.ndim == 1:
        return values
    return np.stack([_summarised(row) for row in values])


def _body(values: np.ndarray, indent: int, summarise: bool, fmt: _Formatter) -> str:
    if values.ndim == 0:
        return fmt.format(values.item())
    n = values.shape[0]
    cut = summarise and n > 2 * EDGEITEMS
    if values.ndim == 1:
        items = [fmt.format(v) for v in values.tolist()]
        if cut:
            items = items[:EDGEITEMS] + [" ..."] + items[-EDGEITEMS:]
        per_line = max(1, int(math.floor((LINEWIDTH - indent) / (fmt.width + 2))))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = range(n) if not cut else [*range(EDGEITEMS), None, *range(n - EDGEITEMS, n)]
    parts = ["..." if i is None else _body(values[i], indent + 1, summarise, fmt) for i in rows]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def format_array(values: np.ndarray, indent: int) -> str:
    if values.size == 0:
        return "[]"
    summarise = values.size > THRESHOLD
    fmt = _Formatter(_summarised(values) if summarise else values)
    return _body(values, indent, summarise, fmt)


def _prefix(t) -> tuple[str, bool]:
    """``tensor(`` for tensors and parameters, the class name for other subclasses (as torch prints)."""
    from ._tensor import Tensor
    from .nn.parameter import Parameter

    plain = type(t) is Tensor or type(t) is Parameter
    return ("tensor(" if plain else f"{type(t).__name__}("), not plain and isinstance(t, Parameter)


def format_tensor(t, prefix: str | None = None) -> str:
    from . import _dtype

    in_parameter = False
    if prefix is None:
        prefix, in_parameter = _prefix(t)

    values = t._data
    d = _dtype.from_numpy(values.dtype)
    indent = len(prefix)
    suffixes = []
    default = d in (_dtype.get_default_dtype(), _dtype.int64, _dtype.bool_)
    if values.size == 0:
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
        if d is not _dtype.get_default_dtype():
            suffixes.append(f"dtype={d!r}")
        body = "[]"
    else:
        if not default:
            suffixes.append(f"dtype={d!r}")
        body = format_array(values, indent)
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    text = prefix + body
    last = len(text) - text.rfind("\n") + 1
    for s in suffixes:
        # measured as torch's "torch.float64", so that lines break where torch breaks them
        width = len(s) - (len("minigrad.") - len("torch.")) * s.count("minigrad.")
        if last + width + 2 > LINEWIDTH:
            text += ",\n" + " " * indent + s
            last = indent + width
        else:
            text += ", " + s
            last += width + 2
    text += ")"
    return f"Parameter({text})" if in_parameter else text
