"""Anomaly detection: find the backward function that produced a NaN, and the forward line behind it."""
from __future__ import annotations

import traceback

from .grad_mode import _GradModeContext

_enabled = False
_check_nan = True


def is_anomaly_enabled() -> bool:
    return _enabled


def is_anomaly_check_nan_enabled() -> bool:
    return _check_nan


def forward_stack() -> str:
    # Drop minigrad's own frames: the learner wants the line of *their* code that made the node.
    frames = [f for f in traceback.extract_stack() if "/minigrad/" not in f.filename.replace("\\", "/")]
    return "".join(traceback.format_list(frames))


def _set(mode: bool, check_nan: bool) -> None:
    global _enabled, _check_nan
    _enabled, _check_nan = bool(mode), bool(check_nan)


class detect_anomaly(_GradModeContext):
    """While on, every backward checks for NaN and names the op (and forward line) that made it."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def clone(self):
        return detect_anomaly(self.check_nan)

    def __enter__(self):
        self._saved = (_enabled, _check_nan)
        _set(True, self.check_nan)
        return self

    def __exit__(self, *exc_info) -> None:
        _set(*self._saved)


class set_detect_anomaly(_GradModeContext):
    """``set_detect_anomaly(True)`` switches anomaly detection on now; as a context manager, until exit."""

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = (_enabled, _check_nan)
        _set(mode, check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        _set(*self._prev)
