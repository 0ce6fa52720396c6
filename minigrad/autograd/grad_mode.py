"""Grad mode: one global switch that every op reads before recording itself in the graph.

``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``inference_mode`` all work as context managers
and as decorators, restore the previous state on exit (exceptions included) and therefore nest.
"""
from __future__ import annotations

import functools

_state = {"grad": True, "inference": False}


def is_grad_enabled() -> bool:
    return _state["grad"]


def is_inference_mode_enabled() -> bool:
    return _state["inference"]


class _GradModeContext:
    """Base for the switches: subclasses say which state they want in ``_target()``."""

    def __new__(cls, *args, **kwargs):
        if not args:  # ``with no_grad():``, in every training step: nothing to look at
            return super().__new__(cls)
        # ``@no_grad`` without parentheses: the class receives the function itself.
        if cls is not set_grad_enabled and len(args) == 1 and callable(args[0]) and not kwargs:
            return cls()(args[0])
        return super().__new__(cls)

    def _target(self) -> tuple[bool, bool]:
        raise NotImplementedError

    def __enter__(self):
        self._saved = (_state["grad"], _state["inference"])
        _state["grad"], _state["inference"] = self._target()
        return self

    def __exit__(self, *exc_info) -> None:
        _state["grad"], _state["inference"] = self._saved

    def clone(self):
        return type(self)()

    def __call__(self, func):
        # Used as a decorator: each call of ``func`` gets a fresh context, so recursion and threads nest.
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Don't record operations: results don't require grad. Use it for updates and evaluation."""

    def _target(self):
        return False, _state["inference"]

    # An update step enters no_grad once per step: its entry and exit are written out, with fixed signatures.
    def __new__(cls, func=None):
        if func is None:  # ``with no_grad():``
            return object.__new__(cls)
        return super().__new__(cls, func)  # ``@no_grad`` without parentheses

    def __enter__(self):
        self._saved = (_state["grad"], _state["inference"])
        _state["grad"] = False
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        _state["grad"], _state["inference"] = self._saved


class enable_grad(_GradModeContext):
    """Record operations again inside a ``no_grad`` block."""

    def _target(self):
        return True, _state["inference"]


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` switches grad mode at once; as a context manager it restores it on exit."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._prev = (_state["grad"], _state["inference"])
        _state["grad"] = self.mode

    def _target(self):
        return self.mode, _state["inference"]

    def clone(self):
        # A decorator must not leave the mode switched at decoration time; torch undoes it as well.
        _state["grad"], _state["inference"] = self._prev
        return set_grad_enabled(self.mode)

    def __enter__(self):
        self._saved = self._prev
        _state["grad"] = self.mode
        return self

    def __call__(self, func):
        _state["grad"], _state["inference"] = self._prev

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(self.mode):
                return func(*args, **kwargs)

        return wrapper


class inference_mode(_GradModeContext):
    """Like ``no_grad``, and tensors made inside are inference tensors that autograd will refuse later."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)

    def _target(self):
        if self.mode:
            return False, True
        return _state["grad"], False

    def clone(self):
        return inference_mode(self.mode)
