"""Checks for `grad_mode`: no_grad, enable_grad, set_grad_enabled, is_grad_enabled and detach.

Each check is a scenario written once against a small `api`: the harness runs it with the student's
functions on the notebook's engine, the judge runs it with torch's, and the observations (grad mode
at each point, flags of results, values) must agree. A scenario reads and sets grad mode through
`api.mode()` and `api.force()`, never through the student's code, so each check grades one function.
"""
from __future__ import annotations

import numpy as np

from ._core import Check, compare, describe_error, guarded, is_error, student, verdict

ASSIGNMENT = "grad_mode"


class _EngineApi:
    """The notebook's engine, with the student's functions."""

    def __init__(self, namespace):
        self.namespace = namespace

    @property
    def state(self):
        return student(self.namespace, "_grad_mode")

    def __getattr__(self, name):  # no_grad, enable_grad, set_grad_enabled, is_grad_enabled, detach
        return student(self.namespace, name)

    def tensor(self, data, requires_grad=False):
        return student(self.namespace, "Tensor")(np.array(data), requires_grad=requires_grad)

    def mode(self):
        return bool(self.state.enabled)

    def force(self, enabled):
        self.state.enabled = enabled

    @staticmethod
    def values(t):
        return np.array(t.data, dtype=np.float64)

    @staticmethod
    def shares(a, b):
        return bool(np.shares_memory(a.data, b.data))

    @staticmethod
    def add_inplace(t, value):
        t.data += value

    @staticmethod
    def has_graph(t):
        return not t.is_leaf

    @staticmethod
    def grad(t):
        return None if t.grad is None else np.array(t.grad)


class _TorchApi:
    def __init__(self):
        import torch

        self.torch = torch
        self.no_grad, self.enable_grad = torch.no_grad, torch.enable_grad
        self.set_grad_enabled, self.is_grad_enabled = torch.set_grad_enabled, torch.is_grad_enabled

    def detach(self, t):
        return t.detach()

    def tensor(self, data, requires_grad=False):
        return self.torch.tensor(np.array(data), dtype=self.torch.float64,
                                 requires_grad=requires_grad)

    def mode(self):
        return self.torch.is_grad_enabled()

    def force(self, enabled):
        self.torch._C._set_grad_enabled(enabled)

    @staticmethod
    def values(t):
        return t.detach().numpy().copy()

    @staticmethod
    def shares(a, b):
        return bool(np.shares_memory(a.detach().numpy(), b.detach().numpy()))

    @staticmethod
    def add_inplace(t, value):
        t.add_(value)

    @staticmethod
    def has_graph(t):
        return t.grad_fn is not None

    @staticmethod
    def grad(t):
        return None if t.grad is None else t.grad.numpy().copy()


def _flags(api, t, name, obs):
    obs[f"{name}.requires_grad"] = bool(t.requires_grad)
    obs[f"{name} recorded in the graph"] = api.has_graph(t)


def _raises(block, exc_type) -> str:
    try:
        block()
    except exc_type:
        return "propagated"
    return "swallowed"


def _random_nest(api, rng, block, depth: int = 3) -> list:
    """Grad modes seen in and after a random nest of `block()` regions, each entered from a random mode.

    Drawn from the grading seed, so that observations recorded on one seed cannot be replayed for
    another: the only way to the right list is a block that behaves as torch's.
    """
    seen: list = []

    def enter(level):
        api.force(bool(rng.integers(2)))
        with block():
            seen.append(api.mode())
            go_deeper = bool(rng.integers(2))  # drawn before it is used, whatever the mode
            if level < depth and go_deeper:
                enter(level + 1)
            seen.append(api.mode())
        seen.append(api.mode())

    for _ in range(3):
        enter(1)
    api.force(True)
    return seen


def _is_grad_enabled(api, rng, obs):
    switches = [bool(b) for b in rng.integers(2, size=int(rng.integers(6, 12)))]
    seen = []
    for enabled in switches:
        api.force(enabled)
        seen.append(api.is_grad_enabled() is True)
    api.force(True)
    obs["is_grad_enabled() is True after each of a random series of switches"] = seen
    obs["is_grad_enabled() at the start"] = api.is_grad_enabled()
    obs["its type"] = type(api.is_grad_enabled()).__name__
    api.force(False)
    obs["is_grad_enabled() after grad mode was switched off"] = api.is_grad_enabled()
    api.force(True)
    obs["is_grad_enabled() after grad mode was switched back on"] = api.is_grad_enabled()


def _no_grad_context(api, rng, obs):
    x = api.tensor(rng.normal(size=3), requires_grad=True)
    with api.no_grad():
        obs["grad mode inside `with no_grad()`"] = api.mode()
        _flags(api, x * 2.0, "x * 2 inside no_grad", obs)
        with api.no_grad():
            obs["grad mode inside a nested no_grad"] = api.mode()
        obs["grad mode after the nested block, still inside the outer one"] = api.mode()
    obs["grad mode after the block"] = api.mode()
    _flags(api, x * 2.0, "x * 2 after the block", obs)

    def failing():
        with api.no_grad():
            raise ValueError("raised inside the block")

    obs["a ValueError raised inside no_grad"] = _raises(failing, ValueError)
    obs["grad mode after that exception"] = api.mode()
    api.force(False)
    with api.no_grad():
        pass
    obs["grad mode after no_grad when it was already off"] = api.mode()
    obs["grad modes in and after a random nest of no_grad blocks"] = _random_nest(api, rng, api.no_grad)


def _no_grad_decorator(api, rng, obs):
    x = api.tensor(rng.normal(size=3), requires_grad=True)

    @api.no_grad()
    def double(t):
        obs["grad mode inside a function decorated with @no_grad()"] = api.mode()
        return t * 2.0

    y = double(x)
    obs["value returned by the decorated function"] = api.values(y)
    _flags(api, y, "its result", obs)
    obs["grad mode after the call"] = api.mode()
    obs["the decorated function's __name__"] = double.__name__

    @api.no_grad()
    def depth(n):
        return 0 if n == 0 else 1 + depth(n - 1)

    obs["a recursive decorated function: depth(3)"] = depth(3)
    obs["grad mode after the recursive calls"] = api.mode()

    @api.no_grad()
    def failing():
        raise KeyError("raised inside the function")

    obs["a KeyError raised inside the decorated function"] = _raises(failing, KeyError)
    obs["grad mode after that exception"] = api.mode()


def _enable_grad(api, rng, obs):
    x = api.tensor(rng.normal(size=3), requires_grad=True)
    api.force(False)
    with api.enable_grad():
        obs["grad mode inside `with enable_grad()` while grad mode is off"] = api.mode()
        _flags(api, x * 2.0, "x * 2 inside enable_grad", obs)
    obs["grad mode after the block"] = api.mode()

    @api.enable_grad()
    def double(t):
        return t * 2.0

    _flags(api, double(x), "result of a function decorated with @enable_grad()", obs)
    obs["grad mode after the decorated call"] = api.mode()

    def failing():
        with api.enable_grad():
            raise ValueError("raised inside the block")

    obs["a ValueError raised inside enable_grad"] = _raises(failing, ValueError)
    obs["grad mode after that exception"] = api.mode()
    api.force(True)
    with api.enable_grad():
        pass
    obs["grad mode after enable_grad when it was already on"] = api.mode()
    obs["grad modes in and after a random nest of enable_grad blocks"] = _random_nest(
        api, rng, api.enable_grad)


def _set_grad_enabled(api, rng, obs):
    x = api.tensor(rng.normal(size=3), requires_grad=True)
    api.set_grad_enabled(False)
    obs["grad mode after calling set_grad_enabled(False)"] = api.mode()
    _flags(api, x * 2.0, "x * 2 after set_grad_enabled(False)", obs)
    api.set_grad_enabled(True)
    obs["grad mode after calling set_grad_enabled(True)"] = api.mode()
    with api.set_grad_enabled(False):
        obs["grad mode inside `with set_grad_enabled(False)`"] = api.mode()
        with api.set_grad_enabled(True):
            obs["grad mode inside a nested `with set_grad_enabled(True)`"] = api.mode()
            _flags(api, x * 2.0, "x * 2 inside the nested block", obs)
        obs["grad mode after the nested block"] = api.mode()
    obs["grad mode after the outer block"] = api.mode()

    def failing():
        with api.set_grad_enabled(False):
            raise ValueError("raised inside the block")

    obs["a ValueError raised inside set_grad_enabled(False)"] = _raises(failing, ValueError)
    obs["grad mode after that exception"] = api.mode()
    obs["grad modes in and after a random nest of set_grad_enabled(mode) blocks"] = _random_nest(
        api, rng, lambda: api.set_grad_enabled(bool(rng.integers(2))))


def _detach(api, rng, obs):
    x = api.tensor(rng.normal(size=3), requires_grad=True)
    y = api.detach(x)
    obs["y = detach(x): y.requires_grad"] = bool(y.requires_grad)
    obs["y.is_leaf"] = bool(y.is_leaf)
    obs["y.grad"] = repr(y.grad)
    obs["y shares x's data"] = api.shares(x, y)
    obs["x.requires_grad after detach"] = bool(x.requires_grad)
    api.add_inplace(y, 1.0)
    obs["x after y += 1 (shared data)"] = api.values(x)
    _flags(api, y * x, "y * x", obs)
    (y * x).sum().backward()
    obs["x.grad after (y * x).sum().backward() (y counts as a constant)"] = api.grad(x)
    w = x * 3.0
    d = api.detach(w)
    obs["detach of a non-leaf w = x * 3: requires_grad"] = bool(d.requires_grad)
    obs["... is_leaf"] = bool(d.is_leaf)
    obs["... shares w's data"] = api.shares(w, d)
    obs["... values"] = api.values(d)


def _make_check(name: str, points: int, scenario, description: str) -> Check:
    def harness(namespace, seed):
        def case():
            api = _EngineApi(namespace)
            obs: dict = {}
            api.force(True)
            try:
                outcome = guarded(lambda: scenario(api, np.random.default_rng(seed), obs))
            finally:
                api.force(True)
            if is_error(outcome):
                obs["error"] = outcome["error"]
            return obs

        return guarded(case)

    def judge(data, seed):
        api = _TorchApi()
        expected: dict = {}
        try:
            scenario(api, np.random.default_rng(seed), expected)
        finally:
            api.force(True)
        if is_error(data):
            return verdict(points, [describe_error(data)], "")
        failures = []
        for key, want in expected.items():
            if key not in data:
                failures.append(f"{key}: not reached; before it, {describe_error(data)}"
                                if "error" in data else f"{key}: not reached")
                break
            got = data[key]
            if isinstance(want, np.ndarray) or want is None and not isinstance(got, str):
                failures.append(compare(key, want, got))
            elif got != want:
                failures.append(f"{key}: torch gives {want!r}, yours {got!r}.{_hint(key, got)}")
        return verdict(points, failures, f"{name} behaves as torch's")

    return Check(ASSIGNMENT, name, points, description, harness, judge)


def _hint(key: str, got) -> str:
    if got == "swallowed":
        return " Hint: __exit__ must return False (or None) so the exception goes on."
    if "after" in key and "grad mode" in key:
        return (" Hint: remember the mode found on entry and restore exactly that on exit, even"
                " when an exception leaves the block (__exit__ runs then too).")
    if "__name__" in key:
        return " Hint: functools.wraps copies the name and docstring onto the wrapper."
    if "shares" in key or "after y += 1" in key:
        return " Hint: detach shares the data array; it does not copy."
    return ""


CHECKS = [
    _make_check("is_grad_enabled", 1, _is_grad_enabled, "reports the current grad mode as a bool"),
    _make_check("no_grad_context", 2, _no_grad_context,
                "with no_grad(): nesting, results not recorded, state restored after exceptions"),
    _make_check("no_grad_decorator", 1, _no_grad_decorator,
                "@no_grad() on functions: name kept, re-entrant, restored after exceptions"),
    _make_check("enable_grad", 1, _enable_grad, "enable_grad inside a no-grad region, context and decorator"),
    _make_check("set_grad_enabled", 2, _set_grad_enabled,
                "set_grad_enabled(mode) as a call and as a context manager"),
    _make_check("detach", 2, _detach, "detach(t) shares data and leaves the graph"),
]
