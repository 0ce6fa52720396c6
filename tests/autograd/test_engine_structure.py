"""Properties of the backward engine that need no torch: depth, memory release, hooks, dedup."""
import gc
import weakref

import numpy as np
import pytest

import minigrad


def test_million_node_chain_backpropagates_without_recursion_error():
    x = minigrad.tensor([1.0], requires_grad=True)
    y = x
    n = 1_000_000
    for _ in range(n):
        y = y + 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]
    assert y.item() == pytest.approx(n + 1.0)
    del y  # dropping a million-node graph must not overflow the C stack either
    gc.collect()


def test_deep_chain_of_multiplications_gives_the_product_rule():
    x = minigrad.tensor(1.0, requires_grad=True, dtype=minigrad.float64)
    y = x
    for _ in range(20_000):
        y = y * 1.0001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001**20_000, rel=1e-9)


def test_saved_intermediate_is_freed_after_backward():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 2
    y = (h * h).sum()  # MulBackward0 saves h
    watcher = weakref.ref(h)
    del h
    gc.collect()
    assert watcher() is not None, "backward has not run yet: the graph still needs h"
    y.backward()
    assert watcher() is None, "after backward the saved intermediate must be released"


def test_retain_graph_keeps_saved_intermediate():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 2
    y = (h * h).sum()
    watcher = weakref.ref(h)
    del h
    y.backward(retain_graph=True)
    assert watcher() is not None
    y.backward()
    assert watcher() is None


def test_saved_result_is_stored_without_a_reference_cycle():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    e = x.exp()  # ExpBackward0 keeps its result for backward
    node = weakref.ref(e.grad_fn)
    gc.disable()
    try:
        del e
        assert node() is None, "dropping the output must free its node by reference counting alone"
    finally:
        gc.enable()


def test_each_node_runs_once_on_a_diamond():
    calls = []

    class Spy(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1

        @staticmethod
        def backward(ctx, grad):
            calls.append(grad.tolist())
            return grad

    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    s = Spy.apply(x)
    (s * 2 + s * 3).sum().backward()
    assert calls == [[5.0, 5.0]], "the spy must run once, with the summed gradient"
    assert x.grad.tolist() == [5.0, 5.0]


def test_node_hooks_run_with_inputs_and_outputs():
    seen = []
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append(
        ([None if g is None else g.tolist() for g in grad_inputs], [g.tolist() for g in grad_outputs])))
    y.sum().backward()
    assert len(seen) == 1
    grad_inputs, grad_outputs = seen[0]
    assert grad_inputs[0] == [3.0, 3.0] and grad_outputs == [[1.0, 1.0]]


def test_grad_mode_state_survives_exceptions_in_decorated_functions():
    @minigrad.no_grad()
    def fails():
        raise KeyError

    with pytest.raises(KeyError):
        fails()
    assert minigrad.is_grad_enabled()


def test_gradient_is_float_array_of_the_leaf_shape_under_broadcasting():
    w = minigrad.zeros(3, 1, requires_grad=True)
    (w * minigrad.ones(4) + minigrad.ones(2, 3, 4)).sum().backward()
    assert w.grad.shape == (3, 1)
    np.testing.assert_array_equal(w.grad.numpy(), np.full((3, 1), 8.0, np.float32))
