"""Central differences, to check minigrad's gradients without torch.

For a function ``f`` of tensors and fixed random weights ``v`` (same shape as its output), the scalar
``s(x) = sum(v * f(x))`` has gradient ``J^T v`` -- exactly what backward computes. Each partial
derivative of ``s`` is estimated as ``(s(x + eps e) - s(x - eps e)) / (2 eps)``, one element at a time.

Second derivatives use the same idea one level up: ``g(x) = J^T v`` is itself a function of ``x``
(computed by backward with ``create_graph=True``); ``t(x) = sum_i <w_i, g_i(x)>`` is differentiated
by backward again, and compared with central differences of ``t`` evaluated with plain backward.
"""
from __future__ import annotations

import numpy as np

import minigrad

EPS = 1e-6
TOLERANCE = dict(rtol=1e-5, atol=1e-6)


def _tensors(arrays, requires_grad=True):
    return [minigrad.tensor(a.copy(), dtype=minigrad.float64, requires_grad=requires_grad) for a in arrays]


def _weights(rng, like):
    return rng.standard_normal(np.shape(like))


def central_differences(scalar_fn, arrays, eps=EPS):
    """d scalar_fn / d arrays[i], for every i, by central differences (arrays are float64)."""
    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for j in np.ndindex(a.shape):
            plus = [b.copy() for b in arrays]
            minus = [b.copy() for b in arrays]
            plus[i][j] += eps
            minus[i][j] -= eps
            g[j] = (scalar_fn(plus) - scalar_fn(minus)) / (2 * eps)
        grads.append(g)
    return grads


def _weighted_output(fn, v):
    def scalar(arrays):
        with minigrad.no_grad():
            out = fn(*_tensors(arrays, requires_grad=False))
        return float(np.sum(v * out.numpy()))
    return scalar


def _first_derivatives(fn, arrays, v, create_graph):
    xs = _tensors(arrays)
    out = fn(*xs)
    grads = minigrad.autograd.grad(out, xs, minigrad.tensor(v), create_graph=create_graph, allow_unused=True)
    return xs, [minigrad.zeros_like(x) if g is None else g for x, g in zip(xs, grads)]


def check_first(fn, arrays, seed=0, tol=None):
    """backward's J^T v against central differences, for every input."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    rng = np.random.default_rng(seed)
    with minigrad.no_grad():
        out = fn(*_tensors(arrays, requires_grad=False))
    v = _weights(rng, out.numpy())
    _, analytic = _first_derivatives(fn, arrays, v, create_graph=False)
    numeric = central_differences(_weighted_output(fn, v), arrays)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        np.testing.assert_allclose(a.numpy(), n, err_msg=f"first derivative, input {i}", **(tol or TOLERANCE))


def check_second(fn, arrays, seed=0, tol=None):
    """The derivative of backward (create_graph=True) against central differences of backward."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    rng = np.random.default_rng(seed)
    with minigrad.no_grad():
        out = fn(*_tensors(arrays, requires_grad=False))
    v = _weights(rng, out.numpy())
    ws = [_weights(rng, a) for a in arrays]

    xs, first = _first_derivatives(fn, arrays, v, create_graph=True)
    zero = minigrad.tensor(0.0, dtype=minigrad.float64)
    total = sum(((g * minigrad.tensor(w)).sum() for g, w in zip(first, ws)), zero)
    if total.requires_grad:
        second = minigrad.autograd.grad(total, xs, allow_unused=True)
    else:  # the first derivative does not depend on x at all (a linear op): the second is zero
        second = [None] * len(xs)
    analytic = [np.zeros_like(a) if g is None else g.numpy() for a, g in zip(arrays, second)]

    def weighted_first(perturbed):
        _, grads = _first_derivatives(fn, perturbed, v, create_graph=False)
        return float(sum(np.sum(g.numpy() * w) for g, w in zip(grads, ws)))

    numeric = central_differences(weighted_first, arrays)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        np.testing.assert_allclose(a, n, err_msg=f"second derivative, input {i}", **(tol or TOLERANCE))
