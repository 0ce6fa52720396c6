"""Checks for `vjp_rules`: one check per NumPy vector-Jacobian product, against torch.autograd.

Every rule is tried on several shapes (broadcasting included). Binary rules are graded with a
known-good `unbroadcast` in place, so a mistake in `unbroadcast` costs its own points only.
"""
from __future__ import annotations

import contextlib

import numpy as np

from ._core import (Check, as_array, compare, describe_error, guarded, is_error, student,
                    substituted, torch_float64, torch_grad, verdict)

ASSIGNMENT = "vjp_rules"

BINARY_SHAPES = [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3), ()),
                 ((), (5,)), ((4, 1, 3), (2, 1))]
UNARY_SHAPES = [(), (5,), (2, 3, 4)]
REDUCTIONS = [((3, 4), None, False), ((3, 4), None, True), ((2, 3, 4), 1, False),
              ((2, 3, 4), -1, True), ((2, 3, 4), (0, 2), False), ((5,), 0, False), ((), None, False)]
MATMUL_SHAPES = [((3,), (3,)), ((4, 3), (3,)), ((3,), (3, 5)), ((4, 3), (3, 5)),
                 ((2, 4, 3), (3, 5)), ((2, 1, 4, 3), (5, 3, 2))]
UNBROADCAST = [((3, 4), (4,)), ((2, 3, 4), (3, 1)), ((5,), ()), ((3, 4), (3, 4)),
               ((2, 1, 4), (1, 1)), ((4, 3), (1, 3)), ((2, 3, 4), (2, 1, 4))]


def reference_unbroadcast(grad, shape):
    """Sum `grad` over the dimensions broadcasting added or stretched, back to `shape`."""
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True).reshape(shape)


def _positive(rng, shape, low):
    return rng.uniform(low, 2.0, size=shape)


def _away_from_zero(rng, shape):
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)


def _binary_inputs(rule: str, rng: np.random.Generator):
    cases = []
    for sa, sb in BINARY_SHAPES:
        a = _positive(rng, sa, 0.5) if rule == "pow" else rng.normal(size=sa)
        b = _away_from_zero(rng, sb) if rule == "div" else rng.normal(size=sb)
        g = rng.normal(size=np.broadcast_shapes(sa, sb))
        cases.append(((np.asarray(g), np.asarray(a), np.asarray(b)), {}))
    return cases


def _unary_inputs(rule: str, rng: np.random.Generator):
    cases = []
    for shape in UNARY_SHAPES:
        a = _positive(rng, shape, 0.1) if rule == "log" else rng.normal(size=shape)
        if rule == "relu" and a.ndim:
            a.reshape(-1)[::3] = 0.0  # torch's relu has gradient 0 at 0
        cases.append(((np.asarray(rng.normal(size=shape)), np.asarray(a)), {}))
    return cases


def _reduction_inputs(rule: str, rng: np.random.Generator):
    cases = []
    for shape, axis, keepdims in REDUCTIONS:
        a = np.asarray(rng.normal(size=shape))
        g = np.asarray(rng.normal(size=np.sum(a, axis=axis, keepdims=keepdims).shape))
        cases.append(((g, a), {"axis": axis, "keepdims": keepdims}))
    return cases


def _matmul_inputs(rule: str, rng: np.random.Generator):
    cases = []
    for sa, sb in MATMUL_SHAPES:
        a, b = rng.normal(size=sa), rng.normal(size=sb)
        g = rng.normal(size=np.matmul(a, b).shape)
        cases.append(((np.asarray(g), a, b), {}))
    return cases


def _unbroadcast_inputs(rule: str, rng: np.random.Generator):
    return [((rng.normal(size=big), small), {}) for big, small in UNBROADCAST]


def _torch_forward(rule, tensors, kwargs):
    import torch

    if rule in ("add", "sub", "mul", "div", "pow"):
        a, b = tensors
        return {"add": a + b, "sub": a - b, "mul": a * b, "div": a / b, "pow": a**b}[rule]
    if rule == "matmul":
        return torch.matmul(*tensors)
    (a,) = tensors
    if rule in ("sum", "mean"):
        axis, keepdims = kwargs["axis"], kwargs["keepdims"]
        dims = tuple(range(a.ndim)) if axis is None else axis
        if axis is None and not keepdims:
            return getattr(a, rule)()
        return getattr(a, rule)(dim=dims, keepdim=keepdims)
    return getattr(torch, rule)(a)


def _torch_vjp(rule, args, kwargs):
    """The reference: torch's gradients of the inputs for output gradient g."""
    if rule == "unbroadcast":
        grad, shape = args
        x = torch_float64(np.zeros(shape), True)
        x.expand(grad.shape).backward(torch_float64(grad))
        return torch_grad(x)
    g, *inputs = args
    tensors = [torch_float64(x, True) for x in inputs]
    _torch_forward(rule, tensors, kwargs).backward(torch_float64(g))
    grads = [torch_grad(t) for t in tensors]
    return tuple(grads) if len(grads) == 2 else grads[0]


def _describe(rule, args, kwargs):
    if rule == "unbroadcast":
        return f"unbroadcast(grad of shape {args[0].shape}, {args[1]})"
    shapes = ", ".join(str(np.shape(x)) for x in args[1:])
    extra = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    return f"{rule}_vjp(g, inputs of shapes {shapes}{extra})"


def _make_check(rule: str, points: int, inputs, arity: int, description: str) -> Check:
    function = "unbroadcast" if rule == "unbroadcast" else f"{rule}_vjp"

    def harness(namespace, seed):
        rng = np.random.default_rng(seed)
        results = []
        for args, kwargs in inputs(rule, rng):
            def case(args=args, kwargs=kwargs):
                copies = [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]
                with substituted(namespace, "unbroadcast", reference_unbroadcast) \
                        if rule != "unbroadcast" else contextlib.nullcontext():
                    out = student(namespace, function)(*copies, **kwargs)
                if arity == 1:
                    return as_array(out)
                if not isinstance(out, (tuple, list)) or len(out) != 2:
                    return {"error": f"TypeError: {function} must return a tuple (grad_a, grad_b),"
                                     f" got {type(out).__name__}"}
                return [as_array(out[0]), as_array(out[1])]

            results.append(guarded(case))
        return results

    def judge(data, seed):
        rng = np.random.default_rng(seed)
        failures = []
        for (args, kwargs), got in zip(inputs(rule, rng), data, strict=True):
            label = _describe(rule, args, kwargs)
            expected = _torch_vjp(rule, args, kwargs)
            if is_error(got):
                failures.append(f"{label}: {describe_error(got)}.")
            elif arity == 1:
                failures.append(compare(label, expected, got))
            else:
                failures.append(compare(f"{label}, grad_a", expected[0], got[0]))
                failures.append(compare(f"{label}, grad_b", expected[1], got[1]))
        return verdict(points, failures, f"{function} equals torch.autograd on every shape")

    return Check(ASSIGNMENT, function, points, description, harness, judge)


CHECKS = [
    _make_check("unbroadcast", 2, _unbroadcast_inputs, 1, "sum a gradient back to an input's shape"),
    _make_check("add", 1, _binary_inputs, 2, "d(a + b)"),
    _make_check("sub", 1, _binary_inputs, 2, "d(a - b)"),
    _make_check("mul", 1, _binary_inputs, 2, "d(a * b)"),
    _make_check("div", 1, _binary_inputs, 2, "d(a / b)"),
    _make_check("pow", 2, _binary_inputs, 2, "d(a ** b), positive base, tensor exponent"),
    _make_check("exp", 1, _unary_inputs, 1, "d exp(a)"),
    _make_check("log", 1, _unary_inputs, 1, "d log(a)"),
    _make_check("tanh", 1, _unary_inputs, 1, "d tanh(a)"),
    _make_check("sigmoid", 1, _unary_inputs, 1, "d sigmoid(a)"),
    _make_check("relu", 1, _unary_inputs, 1, "d relu(a), 0 at a = 0 as torch"),
    _make_check("sum", 2, _reduction_inputs, 1, "d a.sum(axis, keepdims)"),
    _make_check("mean", 1, _reduction_inputs, 1, "d a.mean(axis, keepdims)"),
    _make_check("matmul", 3, _matmul_inputs, 2, "d (a @ b), 1-d and batched operands"),
]
