"""Run one computation on minigrad and on torch, from the same values, and compare what is observable.

``check(fn, *arrays)`` builds each array as a tensor in both libraries (floating arrays require grad),
calls ``fn(lib, *tensors)`` with ``lib`` = minigrad and then torch, and compares the outputs (values,
dtype, shape, requires_grad, whether grad_fn is None, grad_fn.name()), then runs backward from the same
random upstream gradient and compares every input's ``.grad``.

Only test modules that already did ``pytest.importorskip("torch")`` import this module.
"""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from tests.conftest import normalise

FLOAT_DTYPES = ("float32", "float64")
TOLERANCE = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-13)}


# -- hypothesis strategies --------------------------------------------------------------------------------
def shapes(min_dims=0, max_dims=3, min_side=1, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcast_pair(min_dims=0, max_dims=3, max_side=3):
    """Two shapes that broadcast together (sometimes equal, sometimes one is 0-d)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=min_dims, max_dims=max_dims, max_side=max_side
    ).map(lambda b: b.input_shapes)


seeds = st.integers(0, 2**32 - 1)
float_dtypes = st.sampled_from(FLOAT_DTYPES)


def values(seed, shape, low=-2.0, high=2.0, *, integral=False, away_from=None):
    """float64 values for a shape; ``integral`` makes ties likely; ``away_from`` keeps values off kinks."""
    rng = np.random.default_rng(seed)
    if integral:
        return rng.integers(int(low), int(high) + 1, size=shape).astype(np.float64)
    x = rng.uniform(low, high, size=shape)
    for kink in away_from or ():
        near = np.abs(x - kink) < 0.05
        x = np.where(near, x + 0.1, x)
    return x


# -- building both sides ------------------------------------------------------------------------------------
def _np_dtype(dtype):
    return np.dtype(dtype) if isinstance(dtype, str) else dtype


def both(array, dtype=None, requires_grad=None):
    """The same values as a minigrad tensor and a torch tensor."""
    a = np.asarray(array)
    if dtype is not None:
        a = a.astype(_np_dtype(dtype))
    if requires_grad is None:
        requires_grad = a.dtype.kind == "f"
    m = minigrad.tensor(a.copy(), requires_grad=requires_grad)
    t = torch.tensor(a.copy(), requires_grad=requires_grad)
    assert str(m.dtype).replace("minigrad.", "") == str(t.dtype).replace("torch.", "")
    return m, t


def _flatten(out):
    if isinstance(out, (tuple, list)):
        return list(out)
    return [out]


def _name(dtype) -> str:
    return normalise(str(dtype)).replace("minigrad.", "")


def assert_same_tensor(m, t, *, what="output", check_grad_fn_name=True, tol=None):
    """Everything observable about one tensor, minus its gradient."""
    assert isinstance(m, minigrad.Tensor), f"{what}: minigrad returned {type(m).__name__}"
    # minigrad's own invariant: a tensor holds an ndarray, never a NumPy scalar
    assert type(m._data) is np.ndarray, f"{what}: holds a {type(m._data).__name__}"
    assert tuple(m.shape) == tuple(t.shape), f"{what}: shape {tuple(m.shape)} != torch {tuple(t.shape)}"
    assert _name(m.dtype) == _name(t.dtype), f"{what}: dtype {m.dtype} != torch {t.dtype}"
    assert m.requires_grad == t.requires_grad, f"{what}: requires_grad {m.requires_grad} != {t.requires_grad}"
    assert m.is_leaf == t.is_leaf, f"{what}: is_leaf {m.is_leaf} != {t.is_leaf}"
    assert (m.grad_fn is None) == (t.grad_fn is None), f"{what}: grad_fn {m.grad_fn} vs torch {t.grad_fn}"
    if check_grad_fn_name and t.grad_fn is not None:
        # torch names two C++ nodes with their namespace (torch::autograd::CopySlices); minigrad does not
        t_name = t.grad_fn.name().replace("torch::autograd::", "")
        assert m.grad_fn.name() == t_name, f"{what}: grad_fn {m.grad_fn.name()} != {t.grad_fn.name()}"
    assert_close(m.detach().numpy(), t.detach().numpy(), what=what, tol=tol)


def assert_close(mv, tv, *, what="value", tol=None):
    mv, tv = np.asarray(mv), np.asarray(tv)
    assert mv.shape == tv.shape, f"{what}: shape {mv.shape} != {tv.shape}"
    if tv.dtype.kind == "f":
        kw = tol or TOLERANCE.get(tv.dtype.name, dict(rtol=1e-3, atol=1e-3))
        np.testing.assert_allclose(mv, tv, equal_nan=True, err_msg=what, **kw)
    else:
        np.testing.assert_array_equal(mv, tv, err_msg=what)


def check(fn, *inputs, grad_fn_name=True, backward=True, tol=None, seed=0):
    """Compare ``fn`` on both libraries. ``inputs`` are arrays, or (minigrad, torch) pairs from ``both``.

    Returns the two outputs so a test can look further.
    """
    pairs = [x if isinstance(x, tuple) else both(x) for x in inputs]
    m_in = [p[0] for p in pairs]
    t_in = [p[1] for p in pairs]
    t_out, t_err = outcome(lambda lib: fn(lib, *t_in), torch)
    if t_err is not None:  # torch refuses: minigrad must refuse the same way
        check_error(lambda lib: fn(lib, *(m_in if lib is minigrad else t_in)))
        return None, None
    m_out = fn(minigrad, *m_in)
    m_list, t_list = _flatten(m_out), _flatten(t_out)
    assert len(m_list) == len(t_list)
    for i, (m, t) in enumerate(zip(m_list, t_list)):
        assert_same_tensor(m, t, what=f"output {i}", check_grad_fn_name=grad_fn_name, tol=tol)
    if backward:
        _check_backward(m_in, t_in, m_list, t_list, seed, tol)
    if any(t.requires_grad for t in t_list):
        # the same call without recording: no grad_fn, requires_grad False, same values
        with minigrad.no_grad():
            m_plain = _flatten(fn(minigrad, *m_in))
        with torch.no_grad():
            t_plain = _flatten(fn(torch, *t_in))
        for i, (m, t) in enumerate(zip(m_plain, t_plain)):
            assert_same_tensor(m, t, what=f"output {i} under no_grad", tol=tol)
    return m_out, t_out


def _check_backward(m_in, t_in, m_list, t_list, seed, tol):
    rng = np.random.default_rng(seed)
    m_roots, m_grads, t_roots, t_grads = [], [], [], []
    for m, t in zip(m_list, t_list):
        if not t.requires_grad:
            continue
        g = rng.standard_normal(tuple(t.shape)).astype(_np_dtype(_name(t.dtype)))
        m_roots.append(m), t_roots.append(t)
        m_grads.append(minigrad.tensor(g)), t_grads.append(torch.tensor(g))
    if not t_roots:
        return
    minigrad.autograd.backward(m_roots, m_grads)
    torch.autograd.backward(t_roots, t_grads)
    for i, (m, t) in enumerate(zip(m_in, t_in)):
        if not t.requires_grad:
            continue
        if t.grad is None:
            assert m.grad is None, f"input {i}: minigrad has a gradient, torch has none"
            continue
        assert m.grad is not None, f"input {i}: minigrad has no gradient"
        assert _name(m.grad.dtype) == _name(t.grad.dtype), f"input {i}: grad dtype {m.grad.dtype} vs {t.grad.dtype}"
        assert m.grad.requires_grad is False and m.grad.grad_fn is None
        assert_close(m.grad.numpy(), t.grad.numpy(), what=f"grad of input {i}", tol=tol)


# -- errors -------------------------------------------------------------------------------------------------
def outcome(fn, lib):
    try:
        return fn(lib), None
    except Exception as e:  # noqa: BLE001 - the exception is what is compared
        return None, e


def check_error(fn):
    """torch raises; minigrad raises the same class, with torch's message first, then one more sentence."""
    _, t_err = outcome(fn, torch)
    assert t_err is not None, "torch did not raise: the test case is wrong"
    _, m_err = outcome(fn, minigrad)
    assert m_err is not None, f"minigrad did not raise; torch raised {type(t_err).__name__}: {t_err}"
    assert type(m_err).__name__ == type(t_err).__name__ or isinstance(m_err, type(t_err)), (
        f"minigrad raised {type(m_err).__name__}: {m_err}; torch raised {type(t_err).__name__}: {t_err}"
    )
    m_text, t_text = normalise(_message(m_err)), normalise(_message(t_err))
    assert m_text.startswith(t_text), f"\nminigrad: {m_text}\ntorch:    {t_text}"
    assert m_text[len(t_text):].strip(), f"minigrad adds no teaching sentence to: {t_text}"
    return m_err, t_err


def _message(e: Exception) -> str:
    # KeyError/IndexError str() may quote; args[0] is the text itself
    return str(e.args[0]) if e.args else str(e)


def check_double(fn, *inputs, seed=0, tol=None):
    """Second derivatives as torch computes them: backward with create_graph=True, then backward of
    a weighted sum of those gradients. An input the gradient does not depend on counts as zero."""
    pairs = [x if isinstance(x, tuple) else both(x) for x in inputs]
    results = {}
    for lib, side in ((minigrad, 0), (torch, 1)):
        rng = np.random.default_rng(seed)  # the same weights for both libraries
        xs = [p[side] for p in pairs]
        out = fn(lib, *xs)
        v = lib.tensor(rng.standard_normal(tuple(out.shape)).astype(_np_dtype(_name(out.dtype))))
        diff = [x for x in xs if x.requires_grad]
        first = lib.autograd.grad(out, diff, v, create_graph=True, allow_unused=True)
        weights = [rng.standard_normal(tuple(x.shape)).astype(_np_dtype(_name(x.dtype))) for x in diff]
        total = sum(((g * lib.tensor(w)).sum() for g, w in zip(first, weights) if g is not None),
                    lib.tensor(0.0, dtype=out.dtype))
        second = [None] * len(diff)
        # whether each gradient is itself differentiable: torch's are wherever the op's backward
        # formula involves an input, even when its derivative is 0 (relu's, nll_loss's)
        differentiable = [g is not None and g.requires_grad for g in first]
        if total.requires_grad:
            second = lib.autograd.grad(total, diff, allow_unused=True)
        results[lib.__name__] = (
            differentiable,
            [None if g is None else g.detach().numpy() for g in first],
            # (force: torch gives some zero derivatives, abs's second one, as a ZeroTensor)
            [np.zeros(tuple(x.shape), _np_dtype(_name(x.dtype))) if g is None
             else g.detach().numpy(force=True) for x, g in zip(diff, second)],
        )
    (m_diff, m_first, m_second), (t_diff, t_first, t_second) = results["minigrad"], results["torch"]
    assert m_diff == t_diff, f"which first derivatives require grad: minigrad {m_diff}, torch {t_diff}"
    for i, (m, t) in enumerate(zip(m_first, t_first)):
        assert (m is None) == (t is None), f"first derivative {i}: None in one library only"
        if t is not None:
            assert_close(m, t, what=f"first derivative {i}", tol=tol)
    for i, (m, t) in enumerate(zip(m_second, t_second)):
        assert_close(m, t, what=f"second derivative {i}", tol=tol)
