"""Fast paths give exactly what the general path gives (no timings here: see benchmarks/bench.py)."""
import collections
import contextlib
import gc
import warnings
import weakref

import numpy as np
import pytest

import minigrad
from minigrad.autograd.function import Node
from minigrad.ops.matmul import Mm
from minigrad.ops._common import quietly


# -- quietly(ufunc, ...) against np.errstate --------------------------------------------------------
@pytest.mark.parametrize("ufunc, args", [
    (np.multiply, (np.array([0.0, 1e300, 2.0]), np.array([np.inf, 1e300, 3.0]))),
    (np.true_divide, (np.array([0.0, 1.0, -1.0]), np.array([0.0, 0.0, 0.0]))),
    (np.log, (np.array([-1.0, 0.0, 2.0]),)),
    (np.power, (np.array([0.0, -8.0], np.float32), np.float32(-0.5))),
])
def test_quietly_matches_errstate_and_warns_nothing(ufunc, args):
    with np.errstate(all="ignore"):
        expected = ufunc(*args)
    before = np.geterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = quietly(ufunc, *args)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == expected.dtype
    assert np.geterr() == before  # the user's NumPy settings are back


def test_quietly_restores_state_after_an_error():
    # NumPy's ValueError for shapes that do not broadcast comes out as torch's RuntimeError
    before = np.geterr()
    with pytest.raises(RuntimeError, match=r"size of tensor a \(2\) must match the size of tensor b \(3\)"):
        quietly(np.add, np.ones(2), np.ones(3))
    assert np.geterr() == before


def test_quietly_inside_its_own_context_takes_the_public_way_with_the_same_results():
    # the silent context can be entered by one thread at a time; a call made while it is entered
    # (as by another thread) falls back to np.errstate, with the same values, warnings and errors
    from minigrad import _quietly

    def inside():
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            value = quietly(np.divide, np.ones(2), np.zeros(2))
            total = _quietly.quietly_reduce(np.add, np.full(2, 3e38, np.float32), None)
            scaled = _quietly.quietly_on_0d(np.multiply, np.array(3e38, np.float32), 10.0)
            updated = np.full((), 3e38, np.float32)
            _quietly.quietly_in_place(np.add, updated, np.float32(3e38))
        for big in (total, scaled, updated):
            assert type(big) is np.ndarray and big.shape == () and big.dtype == np.float32 and big == np.inf
        with pytest.raises(RuntimeError, match="must match the size of tensor b"):
            quietly(np.add, np.ones(2), np.ones(3))
        return value

    np.testing.assert_array_equal(_quietly._run_silently(inside), [np.inf, np.inf])


@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_a_sum_that_overflows_is_inf_without_a_warning_as_in_torch(reduce):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (minigrad, torch):
        x = lib.tensor([3e38, 3e38, -1.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = getattr(x, reduce)()
            out.backward()
        results.append((out.item(), x.grad.tolist()))
    assert results[0] == results[1]


def _update_in_place(lib, shape, op):
    p = lib.full(shape, 3e38, requires_grad=True)
    with lib.no_grad():
        op(p)
    return p.detach()


def _accumulate_twice(lib, shape, hook):
    x = lib.full(shape, 1.0, requires_grad=True)
    if hook:  # a leaf with a hook takes the engine's tensor path
        x.register_hook(lambda g: g)
    for _ in range(2):
        (x * 3e38).sum().backward()
    return x.grad


def _sgd_step(lib):
    p = lib.nn.Parameter(lib.tensor([3e38, 1.0]))
    p.grad = lib.tensor([-3e38, 0.5])
    lib.optim.SGD([p], lr=1.0).step()
    return p.detach()


_BIG = lambda lib: lib.tensor([3e38, -3e38, 1.0])  # noqa: E731 - a float32 whose differences overflow


@pytest.mark.parametrize("shape", [(2,), ()], ids=["1-d", "0-d"])
@pytest.mark.parametrize("case", [
    lambda lib, shape: _update_in_place(lib, shape, lambda p: p.add_(p)),
    lambda lib, shape: _update_in_place(lib, shape, lambda p: p.sub_(-3e38)),
    lambda lib, shape: _update_in_place(lib, shape, lambda p: p.mul_(10.0)),
    lambda lib, shape: _update_in_place(lib, shape, lambda p: p.div_(1e-3)),
    lambda lib, shape: _accumulate_twice(lib, shape, hook=False),
    lambda lib, shape: _accumulate_twice(lib, shape, hook=True),
], ids=["add_", "sub_", "mul_", "div_", "grad accumulated", "grad accumulated with a hook"])
def test_in_place_updates_that_overflow_are_inf_without_a_warning_as_in_torch(case, shape):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (minigrad, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            results.append(case(lib, shape).numpy())
    np.testing.assert_array_equal(results[0], results[1])
    assert np.isinf(results[0]).all()


@pytest.mark.parametrize("make", [lambda v: minigrad.nn.Parameter(minigrad.tensor(v)),
                                  lambda v: minigrad.tensor(v, requires_grad=True)], ids=["Parameter", "leaf"])
def test_an_optimizer_step_writes_into_the_storage_without_building_a_tensor(make, monkeypatch):
    # p.add_(grad, alpha=-lr) under no_grad takes _update's path, for a Parameter (whose .grad is a
    # plain Tensor) as for a plain leaf: the general in-place path, which builds a result, must not run
    p = make([1.0, 2.0])
    storage = p.detach().numpy()
    p.grad = minigrad.tensor([0.5, -1.0])
    monkeypatch.setattr(minigrad.Tensor, "_inplace", lambda *args: pytest.fail("the general in-place path ran"))
    minigrad.optim.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(storage, [0.95, 2.1])
    assert p._version == 1


@pytest.mark.parametrize("case", [
    _sgd_step,
    lambda lib: _BIG(lib).var(), lambda lib: _BIG(lib).std(),
    lambda lib: lib.softmax(_BIG(lib), 0), lambda lib: lib.log_softmax(_BIG(lib), 0),
    lambda lib: lib.nn.functional.cross_entropy(_BIG(lib).reshape(1, 3), lib.tensor([1])),
], ids=["SGD step", "var", "std", "softmax", "log_softmax", "cross_entropy"])
def test_ops_that_overflow_inside_give_torchs_values_without_a_warning(case):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (minigrad, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            results.append(case(lib).detach().numpy())
    np.testing.assert_array_equal(results[0], results[1])


# -- a product or quotient keeps only what its backward reads -----------------------------------------
def _grads(op, x_value, c_value, c_requires_grad):
    x = minigrad.tensor(x_value, requires_grad=True)
    c = minigrad.tensor(c_value, requires_grad=c_requires_grad)
    out = op(op(x, c), c)  # twice: the second input of the first op is a non-leaf in the second
    out.sum().backward()
    return x.grad, out


@pytest.mark.parametrize("op", [
    lambda a, b: a * b, lambda a, b: a / b, lambda a, b: b * a, lambda a, b: b / a,
    lambda a, b: a - b, lambda a, b: b - a, lambda a, b: a + b, lambda a, b: a.sub(b, alpha=2),
    lambda a, b: a.add(b, alpha=-3),
])
def test_one_sided_gradient_equals_the_two_sided_one(op):
    x_value, c_value = [[0.5, -2.0], [3.0, 4.0]], [1.5, -0.25]
    fast, fast_out = _grads(op, x_value, c_value, c_requires_grad=False)
    general, general_out = _grads(op, x_value, c_value, c_requires_grad=True)
    np.testing.assert_array_equal(fast.numpy(), general.numpy())
    np.testing.assert_array_equal(fast_out.detach().numpy(), general_out.detach().numpy())


def test_times_a_constant_does_not_keep_its_input():
    x = minigrad.tensor([1.0], requires_grad=True)
    h = x * 3.0
    alive = weakref.ref(h)
    y = h * 2.0  # needs only 2.0 for the gradient of h
    del h
    gc.collect()
    assert alive() is None
    y.backward()
    assert x.grad.tolist() == [6.0]


def test_a_constant_changed_in_place_is_still_caught():
    x = minigrad.tensor([1.0], requires_grad=True)
    c = minigrad.tensor([2.0])
    y = x * c
    c.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


# -- .grad takes over a gradient only the backward pass can see; anything shared is copied ------------
def _matmul_grads(copy_first: bool):
    w = minigrad.tensor([[1.0, 2.0], [3.0, -1.0]], requires_grad=True)
    x = minigrad.tensor([[0.5, 1.5], [-2.0, 0.25]])
    (x @ w).sum().backward()
    first = w.grad
    kept = first.clone() if copy_first else None
    (x @ w).sum().backward()  # accumulates into the same .grad, in place
    return w, first, kept


def test_taken_over_gradient_accumulates_like_a_copied_one():
    w, first, kept = _matmul_grads(copy_first=True)
    assert first is w.grad  # in place, as torch does
    np.testing.assert_array_equal(w.grad.numpy(), 2 * kept.numpy())
    x = np.array([[0.5, 1.5], [-2.0, 0.25]], np.float32)
    np.testing.assert_allclose(w.grad.numpy(), 2 * x.T @ np.ones((2, 2), np.float32))


def test_gradient_shared_by_two_leaves_is_not_shared_by_their_grads():
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    b = minigrad.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()  # AddBackward hands the same gradient tensor to both
    a.grad.add_(10)
    assert b.grad.tolist() == [1.0, 1.0]


def test_user_gradient_is_never_taken_over():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    g = minigrad.tensor([0.5, 0.25])
    x.backward(g)
    x.backward(g)
    assert g.tolist() == [0.5, 0.25]
    assert x.grad.tolist() == [1.0, 0.5]


def test_user_gradient_passed_on_unchanged_is_never_taken_over():
    # x + 0.0 hands the user's own gradient array straight on to x: x.grad must be a copy of it
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    g = minigrad.tensor([0.5, 0.25])
    (x + 0.0).backward(g)
    g.add_(1.0)
    x.grad.mul_(2.0)
    assert g.tolist() == [1.5, 1.25]
    assert x.grad.tolist() == [1.0, 0.5]


def test_first_gradient_of_a_weight_becomes_its_grad_without_a_copy():
    # the gradient array only backward holds is taken over: backward allocates one weight-sized array
    import tracemalloc

    w = minigrad.tensor(np.ones((500, 500), np.float32), requires_grad=True)
    x = minigrad.tensor(np.ones((2, 500), np.float32))
    loss = (x @ w).sum()
    tracemalloc.start()
    try:
        loss.backward()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert w.grad.numpy().nbytes <= peak < 1.5 * w.grad.numpy().nbytes
    np.testing.assert_array_equal(w.grad.numpy(), np.full((500, 500), 2.0, np.float32))


def test_gradient_returned_by_a_hook_and_kept_is_never_taken_over():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    kept = []

    def hook(grad):
        kept.append(grad * 1.0)
        return kept[-1]

    x.register_hook(hook)
    (x * 3.0).sum().backward()
    (x * 3.0).sum().backward()
    assert kept[0].tolist() == [3.0, 3.0]
    assert x.grad.tolist() == [6.0, 6.0]


def test_retained_gradient_and_leaf_gradient_stay_apart():
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    h = a * 1.0
    h.retain_grad()
    (h + a).sum().backward()
    a.grad.add_(10)
    assert h.grad.tolist() == [1.0, 1.0]


# -- tensor * Python float: the number is not wrapped in a tensor ---------------------------------------
@pytest.mark.parametrize("dtype", [minigrad.float16, minigrad.float32, minigrad.float64])
@pytest.mark.parametrize("c", [2.5, -0.0, float("inf"), 1e300, 3, -7])
def test_times_a_number_equals_times_a_constant_tensor(dtype, c):
    values = [[1.0, -2.0], [0.0, 3.5]]
    x_fast = minigrad.tensor(values, dtype=dtype, requires_grad=True)
    x_general = minigrad.tensor(values, dtype=dtype, requires_grad=True)
    fast = c * (x_fast * c)
    general = minigrad.tensor(c, dtype=dtype) * (x_general * minigrad.tensor(c, dtype=dtype))
    assert type(fast.grad_fn).__name__ == type(general.grad_fn).__name__ == "MulBackward0"
    assert [e is None for e, _ in fast.grad_fn.next_functions] == [False, True]
    assert fast.dtype == general.dtype
    np.testing.assert_array_equal(fast.detach().numpy(), general.detach().numpy())
    (g,) = minigrad.autograd.grad(fast, x_fast, minigrad.ones_like(fast), create_graph=True)
    (h,) = minigrad.autograd.grad(general, x_general, minigrad.ones_like(general), create_graph=True)
    np.testing.assert_array_equal(g.detach().numpy(), h.detach().numpy())
    assert g.requires_grad == h.requires_grad


# -- x ** 2 skips computing x ** 1 in backward --------------------------------------------------------
@pytest.mark.parametrize("p", [2, 2.0])
def test_square_gradient_equals_the_general_power_rule(p):
    values = [[-1.5, 0.0], [2.0, float("inf")]]
    x = minigrad.tensor(values, requires_grad=True)
    (g,) = minigrad.autograd.grad(x ** p, x, minigrad.ones_like(x), create_graph=True)
    y = minigrad.tensor(values, requires_grad=True)
    general = minigrad.ones_like(y) * p * y ** (p - 1)  # the rule for every other exponent
    np.testing.assert_array_equal(g.detach().numpy(), general.detach().numpy())
    (gg,) = minigrad.autograd.grad(g.sum(), x)
    np.testing.assert_array_equal(gg.numpy(), np.full((2, 2), 2.0, np.float32))


def test_quietly_in_two_threads_at_once():
    # the silent context is entered by one thread at a time; the other takes np.errstate
    import threading

    errors = []

    def work():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                for _ in range(2000):
                    got = quietly(np.true_divide, np.array([1.0, 0.0]), np.array([0.0, 0.0]))
                    assert np.isinf(got[0]) and np.isnan(got[1])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_a_recorded_node_leaves_one_object_for_the_collector_to_watch():
    # each object that outlives the young generations counts towards the next full collection, which
    # walks every object of the process (torch's ~170k when it is loaded): a node must be the only one,
    # no list, no dtype object, no tuple of nodes or of nested tuples; a node that keeps its output
    # (tanh) keeps that output's version counter too, a list, shared with views of the output
    x = minigrad.tensor([1.0], requires_grad=True)
    y = x * 2.0
    gc.collect()
    gc.disable()
    try:
        old = gc.get_objects()  # held, so that no new object can take an old one's id
        before = {id(o) for o in old}
        for _ in range(2000):
            y = -(y * 1.5 + 0.5).tanh()
        gc.collect(0)
        gc.collect(1)  # tuples of plain values drop out of sight, a round per level of nesting
        kinds = collections.Counter("node" if isinstance(o, Node) else type(o).__name__
                                    for o in gc.get_objects() if id(o) not in before and o is not old)
        del old
    finally:
        gc.enable()
    assert kinds.pop("node") == 4 * 2000
    assert kinds.pop("list") == 2000 + 1  # y's own counter too
    assert sum(kinds.values()) < 10, kinds


@pytest.mark.parametrize("step", [lambda y, b: y * 1.5, lambda y, b: -y, lambda y, b: y + b,
                                  lambda y, b: y - b],
                         ids=["number", "unary", "add", "sub"])
def test_a_recorded_node_is_the_one_object_it_adds_to_the_young_generation(step):
    # the collector counts allocations of the objects it watches, less those freed: every 700 it runs
    # a young collection. A node's shapes (each .shape is a new tuple) must not add more, so nodes
    # of the same shapes share their tuple of input shapes
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    b = minigrad.tensor([0.5, -0.5], requires_grad=True)
    y = step(x, b)  # the shapes' tuples are made here, once
    nodes_before = _count_nodes(y)
    gc.collect()
    gc.disable()
    try:
        before = gc.get_count()[0]
        for _ in range(500):
            y = step(y, b)
        added = gc.get_count()[0] - before
    finally:
        gc.enable()
    nodes = _count_nodes(y) - nodes_before
    assert nodes >= 500
    assert nodes <= added <= nodes + 10, (nodes, added)


def _count_nodes(t) -> int:
    seen, stack = set(), [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None and node not in seen:
            seen.add(node)
            stack.extend(n for n, _ in node.next_functions)
    return len(seen)


def test_interned_shapes_stop_at_a_bound(monkeypatch):
    # a program of ever new shapes does not make the tables grow without end: past the bound, nodes
    # get tuples of their own, with the same values
    from minigrad.autograd import function

    monkeypatch.setattr(function, "_ONE_TENSOR", [{} for _ in range(8)])
    monkeypatch.setattr(function, "_MAX_INTERNED", 5)
    first = (minigrad.ones(3, 1, requires_grad=True) * 2.0).grad_fn._input_shapes
    for n in range(1, 20):
        (minigrad.ones(n, requires_grad=True) * 2.0).exp()
    assert [len(table) for table in function._ONE_TENSOR[:2]] == [5, 5]
    assert (minigrad.ones(3, 1, requires_grad=True) * 3.0).grad_fn._input_shapes is first  # interned in time
    late = [(minigrad.ones(20, requires_grad=True) * c).grad_fn._input_shapes for c in (2.0, 3.0)]
    assert late[0] == late[1] == ((20,), None) and late[0] is not late[1]


def test_edges_after_the_second_argument_match_torch():
    # where(c, x, y) and a Function of three tensors keep their edges in a tuple of their own
    torch = pytest.importorskip("torch")

    class Product(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, d):
            ctx.save_for_backward(a, b, d)
            return a * b * d

        @staticmethod
        def backward(ctx, g):
            a, b, d = ctx.saved_tensors
            return g * b * d, g * a * d, g * a * b

    TorchProduct = type("Product", (torch.autograd.Function,), {  # the same class, on torch
        "forward": staticmethod(Product.forward), "backward": staticmethod(Product.backward)})

    results = {}
    for lib, product in ((minigrad, Product), (torch, TorchProduct)):
        a, b, d = (lib.tensor([v, v + 1], requires_grad=True) for v in (1.5, -2.0, 0.5))
        w = lib.where(lib.tensor([True, False]), a * 2.0, b)
        out = product.apply(w, b, d).sum() + product.apply(a, b.detach(), d).sum()
        out.backward()
        node = out.grad_fn.next_functions[0][0].next_functions[0][0]
        results[lib] = (type(node).__name__, len(node.next_functions), out.item(),
                        [t.grad.tolist() for t in (a, b, d)])
    assert results[minigrad] == results[torch]


# -- vjp (backward's formula on arrays, create_graph=False) against backward on tensors ---------------
def _both_paths(f, *values, dtypes=None):
    """Gradients of sum(f(*inputs)) through vjp (plain backward) and through backward (create_graph)."""
    def make():
        return [minigrad.tensor(v, dtype=d, requires_grad=True) if d is None or d.is_floating_point
                else minigrad.tensor(v, dtype=d) for v, d in zip(values, dtypes or [None] * len(values))]

    fast_inputs = make()
    f(*fast_inputs).sum().backward()
    general_inputs = make()
    wrt = [t for t in general_inputs if t.requires_grad]
    general = minigrad.autograd.grad(f(*general_inputs).sum(), wrt, create_graph=True)
    return [t.grad for t in fast_inputs if t.requires_grad], general


_M = [[0.5, -2.0, 3.0], [1.5, 0.0, -0.25]]
_V = [1.5, -0.5, 2.0]


@pytest.mark.parametrize("f, values, dtypes", [
    (lambda a, b: a + b, (_M, _V), None),
    (lambda a, b: a.sub(b, alpha=2.5), (_M, _V), None),
    (lambda a, b: 3 - a * b, (_M, 2.0), None),
    (lambda a, b: a * b, (_M, _V), None),
    (lambda a, b: a * b, (_M, 1.1), [minigrad.float32, minigrad.float64]),  # mixed dtypes
    (lambda a, b: a * b, (_M, [1, 2, 3]), [minigrad.float16, minigrad.int64]),
    (lambda a, b: a / b, (_M, _V), None),
    (lambda a, b: b / a, (_V, 1.7), [minigrad.float64, minigrad.float32]),
    (lambda a: -a * 2.5, (_M,), None),
    (lambda a: a ** 2 + a ** 3 + a ** 0.5 + a ** 0 + a ** -1.5, ([0.5, 2.0, 3.5],), None),
    (lambda a: a ** 2.5, ([0.5, 2.0, 3.5],), [minigrad.float16]),
    (lambda a, b: a @ b, (_M, [[1.0, 2.0], [3.0, -1.0], [0.5, 0.25]]), None),
    (lambda a, b: a @ b, (_M, _V), None),  # matrix @ vector: backward's formula
    (lambda a: a.sum(0) * a.sum(), (_M,), None),
    (lambda a: a.mean(1, keepdim=True) * a.mean(), (_M,), [minigrad.float16]),
    (lambda a: a.exp() + a.sqrt() + a.tanh() + a.sigmoid() + a.relu(), ([[0.5, 2.0], [0.0, 3.5]],), None),
    (lambda a: (a * 1e30).exp() * 0 + (a - a).sqrt(), ([[1.0, -2.0]],), None),  # inf * 0: nan, silently
    (lambda a, b: (a * b).relu() * 2, (3.0, -1.5), None),  # 0-d
    # 0-d tensors (the tutorials' loops): their gradients travel as NumPy scalars
    (lambda a: a ** 2 + 3 * a + 1, (2.0,), None),
    (lambda a: a ** 2 + 3 * a + 1, (2.0,), [minigrad.float16]),
    (lambda a: a ** 2 + 3 * a + 1, (2.0,), [minigrad.float64]),
    (lambda a, b: a * b / (a - b) + b ** 3, (2.0, 0.5), [minigrad.float32, minigrad.float64]),  # mixed dtypes
    (lambda a: a.exp() * a.sigmoid() + a.tanh() - a.sqrt() + a.log(), (0.75,), None),
    (lambda a: (a * 1e30) * (a * 1e30) - a / (a - a), (3.0,), None),  # overflow, 0/0: inf and nan, silently
    (lambda a, b: (a * b).mean() + (a + b).sum(), (1.5, -2.0), None),
])
def test_vjp_gives_what_backward_gives(f, values, dtypes):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fast, general = _both_paths(f, *values, dtypes=dtypes)
    for a, b in zip(fast, general):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a.numpy(), b.detach().numpy())


def test_a_gradient_passed_through_is_copied_into_grad():
    # Add hands its gradient on unchanged: .grad must not share memory with the gradient given
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    g = minigrad.tensor([5.0, 6.0])
    (x + 1).backward(g)
    x.grad.add_(1)
    assert g.tolist() == [5.0, 6.0]
    y = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (y + y).backward(g)  # the same array reaches y twice
    assert y.grad.tolist() == [10.0, 12.0]


@pytest.mark.parametrize("dtype", [minigrad.float16, minigrad.float32, minigrad.float64])
@pytest.mark.parametrize("c", [1, 2.5, -3, 0.1])
def test_tensor_plus_or_power_of_a_number_equals_the_general_path(dtype, c):
    x = minigrad.tensor([0.5, 2.0, 3.25], dtype=dtype, requires_grad=True)
    general_c = minigrad.tensor(float(c), dtype=dtype)  # a 0-d tensor: the general path, same dtype rule
    for fast, general in [(x + c, x + general_c), (c + x, general_c + x),
                          (x ** c, x ** np.float64(c))]:  # a NumPy number: the general Pow
        assert fast.dtype == general.dtype
        np.testing.assert_array_equal(fast.detach().numpy(), general.detach().numpy())
        assert len(fast.grad_fn.next_functions) == len(general.grad_fn.next_functions)
        (gx,) = minigrad.autograd.grad(fast.sum(), x)
        (gy,) = minigrad.autograd.grad(general.sum(), x)
        np.testing.assert_array_equal(gx.numpy(), gy.numpy())


def test_a_bias_gradient_is_summed_into_a_fresh_array_that_grad_keeps():
    x = minigrad.tensor(np.arange(12.0).reshape(4, 3))
    b = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = minigrad.tensor([[1.0], [2.0], [3.0], [4.0]], requires_grad=True)
    ((x + b) * (x + c)).sum().backward()
    np.testing.assert_array_equal(b.grad.numpy(), (x + c).detach().numpy().sum(0))
    np.testing.assert_array_equal(c.grad.numpy(), (x + b).detach().numpy().sum(1, keepdims=True))
    assert b.grad.numpy().base is None  # taken over, not copied: nothing else holds it
    (general,) = minigrad.autograd.grad(((x + b) * (x + c)).sum(), b, create_graph=True)
    np.testing.assert_array_equal(general.detach().numpy(), b.grad.numpy())


def test_backward_restores_grad_mode_even_when_a_hook_fails():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    y.register_hook(lambda g: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        y.sum().backward()
    assert minigrad.is_grad_enabled()
    z = (x ** 2).sum()
    with minigrad.no_grad():
        (g,) = minigrad.autograd.grad(z, x, create_graph=True)
        assert not minigrad.is_grad_enabled()
    assert g.requires_grad  # the backward pass was recorded, then grad mode went back to off


# -- loss.backward() goes straight to the engine: the same as autograd.backward -----------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
def test_tensor_backward_shortcut_matches_autograd_backward(dtype, shape):
    def run(call):
        x = minigrad.tensor(np.array([[1.5, -2.0], [0.5, 3.0]], dtype), requires_grad=True)
        y = ((x ** 2 + 3 * x) * x).sum().reshape(shape)
        call(y)
        return x.grad, y

    fast, y_fast = run(lambda y: y.backward())
    general, _ = run(lambda y: minigrad.autograd.backward(y))
    np.testing.assert_array_equal(fast.numpy(), general.numpy())
    assert fast.dtype == general.dtype and fast.shape == general.shape
    assert not fast.requires_grad and fast.grad_fn is None
    with pytest.raises(RuntimeError, match="second time"):  # the graph was freed, as in the general path
        y_fast.backward()


def test_tensor_backward_shortcut_keeps_the_graph_when_asked_and_accumulates():
    x = minigrad.tensor(2.0, requires_grad=True)
    y = x ** 2 + 3 * x + 1
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 2 * (2 * 2.0 + 3)
    with pytest.raises(RuntimeError, match="implicitly created only for scalar"):
        (x * minigrad.ones(2)).backward()  # more than one element: still refused
    with pytest.raises(RuntimeError, match="does not require grad"):
        minigrad.tensor(1.0).backward()


# -- ufuncs of 0-d arrays give 0-d arrays, not NumPy scalars: same values, dtypes, flags -----------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_zero_dim_ops_match_numpy_scalars(dtype):
    a = np.array(1.7, dtype)
    x = minigrad.tensor(a, requires_grad=True)
    cases = [(x ** 2, a ** 2), (3 * x, 3 * a), (x + 1, a + 1), (x * x, a * a), (x / 3.0, a / 3.0),
             (x.exp(), np.exp(a)), (x.log(), np.log(a)), (x.sqrt(), np.sqrt(a))]
    for got, expected in cases:
        assert type(got._data) is np.ndarray and got.shape == ()
        assert got.dtype == minigrad.tensor(expected).dtype
        assert got.item() == expected.item()
        assert got.requires_grad and got.grad_fn is not None
    with minigrad.no_grad():
        update = 0.1 * x
    assert type(update._data) is np.ndarray and update.item() == (0.1 * a).item()
    assert not update.requires_grad


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("c", [2.5, -0.0, float("inf"), 1e300, 3, -7])
def test_zero_dim_tensors_compute_with_numpy_scalars_as_arrays_compute(dtype, c):
    # a 0-d tensor's number ops, its gradients' sum and accumulation and its in-place updates take
    # NumPy's scalar arithmetic; a shape-(1,) tensor the ufuncs: the same values, dtypes and versions
    def run(shape):
        x = minigrad.tensor(np.full(shape, 1.5, dtype), requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # quiet, as torch: inf and nan without a warning
            y = (x * c + c) * 0.5 + x * 2  # two gradients meet at x
        y.backward(minigrad.ones_like(y), retain_graph=True)
        grad = x.grad
        y.backward(minigrad.ones_like(y))  # the second adds into the first, in place
        assert x.grad is grad
        states = [(x.grad.numpy().copy(), x.grad._version)]
        with warnings.catch_warnings(), minigrad.no_grad():
            warnings.simplefilter("ignore")  # in-place updates warn as NumPy does, either way
            for update in (lambda: x.sub_(0.1 * x.grad), lambda: x.add_(c), lambda: x.mul_(2),
                           lambda: x.div_(3), lambda: x.sub_(minigrad.tensor(True)),
                           lambda: x.add_(minigrad.tensor(0.25, dtype=minigrad.float64)),
                           lambda: x.add_(np.float32(0.5)), lambda: x.div_(0)):
                assert update() is x
                states.append((x.detach().numpy().copy(), x._version))
        return y.detach().numpy(), states

    y0, states0 = run(())
    y1, states1 = run((1,))
    assert y0.shape == () and y0.dtype == y1.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(y0, y1.reshape(()))
    for (v0, version0), (v1, version1) in zip(states0, states1):
        assert v0.dtype == v1.dtype and version0 == version1
        np.testing.assert_array_equal(v0, v1.reshape(()))


def test_zero_dim_update_by_a_larger_tensor_is_refused_as_torch_refuses_it():
    x = minigrad.tensor(1.0)
    with pytest.raises(RuntimeError, match=r"output with shape \[\] doesn't match the broadcast shape \[1\]"):
        x -= minigrad.ones(1)
    assert x.item() == 1.0 and x._version == 0


def test_descent_loop_matches_hand_written_numpy():
    x = minigrad.tensor(2.0, requires_grad=True)
    expected = np.array(2.0, np.float32)
    for _ in range(20):
        y = x ** 2 + 3 * x + 1
        y.backward()
        with minigrad.no_grad():
            x -= 0.1 * x.grad
        x.grad.zero_()
        expected -= np.float32(0.1) * (2 * expected + 3)
    assert x.item() == expected.item() and x.dtype == minigrad.float32
    assert x.requires_grad and x.is_leaf and x._version == 20


def test_no_grad_without_arguments_still_nests_and_decorates():
    with minigrad.no_grad():
        with minigrad.enable_grad():
            assert minigrad.is_grad_enabled()
            with minigrad.no_grad():
                assert not minigrad.is_grad_enabled()
            assert minigrad.is_grad_enabled()
        assert not minigrad.is_grad_enabled()
    assert minigrad.is_grad_enabled()

    @minigrad.no_grad
    def bare():
        return minigrad.is_grad_enabled()

    @minigrad.no_grad()
    def called():
        return minigrad.is_grad_enabled()

    assert not bare() and not called() and minigrad.is_grad_enabled()
    with minigrad.inference_mode():
        assert minigrad.is_inference_mode_enabled()
    assert not minigrad.is_inference_mode_enabled()


# -- saved_arrays checks versions itself; a bias add skips np.broadcast_shapes ----------------------------
def test_saved_arrays_still_catches_an_inplace_change_and_a_freed_graph():
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    b = minigrad.tensor([3.0, 4.0], requires_grad=True)
    c = a * 1.0
    out = (c * b).sum()
    with minigrad.no_grad():
        c += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward()
    out = (a * b).sum()
    out.backward()
    with pytest.raises(RuntimeError, match="second time"):
        out.grad_fn.next_functions[0][0].saved_arrays


@pytest.mark.parametrize("shapes", [((4, 3), (3,)), ((3,), (4, 3)), ((2, 4, 3), (4, 3)), ((4, 3), (4, 1)),
                                    ((0, 3), (3,)), ((4, 3), (1, 3))])
def test_bias_shaped_adds_match_numpy_broadcasting(shapes):
    rng = np.random.default_rng(0)
    xa, ya = (rng.standard_normal(s).astype(np.float32) for s in shapes)
    x, y = minigrad.tensor(xa, requires_grad=True), minigrad.tensor(ya, requires_grad=True)
    out = x + y
    np.testing.assert_array_equal(out.numpy(force=True), xa + ya)
    out.sum().backward()
    assert x.grad.shape == x.shape and y.grad.shape == y.shape


@pytest.mark.parametrize("shapes", [((4, 3), (4,)), ((3,), (2,)), ((2, 4, 3), (2, 3))])
def test_shapes_that_do_not_broadcast_are_still_refused(shapes):
    x, y = minigrad.zeros(*shapes[0]), minigrad.zeros(*shapes[1])
    with pytest.raises(RuntimeError, match="must match the size"):
        x + y


# -- mean's vjp fills instead of broadcasting; a bias gradient is the array's own sum -------------------
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("dims, keepdim", [(None, False), ((0,), False), ((1,), True), ((0, 2), False), ((), False)])
def test_mean_vjp_matches_its_tensor_backward(dtype, dims, keepdim):
    x = minigrad.tensor(np.arange(24.0).reshape(2, 3, 4).astype(dtype), requires_grad=True)

    def mean(t):
        return t.mean() if dims is None else t.mean(dim=dims, keepdim=keepdim)

    out = mean(x)
    weights = minigrad.tensor(np.linspace(0.5, 2.0, out.numel()).reshape(out.shape).astype(dtype))
    (fast,) = minigrad.autograd.grad((mean(x) * weights).sum(), x)
    (general,) = minigrad.autograd.grad((mean(x) * weights).sum(), x, create_graph=True)
    np.testing.assert_array_equal(fast.numpy(), general.detach().numpy())
    assert fast.dtype == general.dtype == x.dtype
    assert fast.numpy().flags.writeable


def test_bias_gradients_match_sum_to_size():
    g = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)
    for shape in [(4,), (3, 4), (1, 4), (3, 1), (2, 1, 4), ()]:
        x = minigrad.zeros(shape, requires_grad=True)
        (minigrad.zeros(2, 3, 4) + x).backward(minigrad.tensor(g))
        expected = minigrad.tensor(g).sum_to_size(shape) if shape else minigrad.tensor(g).sum()
        np.testing.assert_array_equal(x.grad.numpy(), expected.numpy())
        assert x.grad.dtype == minigrad.float32 and x.grad.shape == x.shape


# -- the operators' own apply for a tensor and a number ---------------------------------------------
def _number_op_record(make, mode):
    """What `make` gives in `mode`: values, flags, the node's bookkeeping and the leaf's gradient."""
    x = minigrad.tensor([1.5, -2.0], requires_grad=True)
    with mode():
        y = make(x)
    node = y.grad_fn
    record = {"value": y.detach().numpy().tolist(), "dtype": y.dtype, "requires_grad": y.requires_grad,
              "is_leaf": y.is_leaf, "inference": y.is_inference(), "version": y._version}
    if node is not None:
        record.update(name=node.name(), next=[(type(n).__name__, i) for n, i in node.next_functions],
                      shapes=node._input_shapes, dtypes=node._input_dtypes, needs=node.needs_input_grad,
                      stack=getattr(node, "_forward_stack", None) is not None)
        y.backward(minigrad.tensor([0.25, 4.0]))
        record["grad"] = x.grad.numpy().tolist()
    return record


@pytest.mark.parametrize("mode", [contextlib.nullcontext, minigrad.no_grad, minigrad.inference_mode,
                                  lambda: minigrad.autograd.detect_anomaly(check_nan=False)])
@pytest.mark.parametrize("operator, op_class, c", [
    (lambda x, c: x * c, "MulNumber", 2.5), (lambda x, c: c * x, "MulNumber", -3),
    (lambda x, c: x + c, "AddNumber", 1), (lambda x, c: c + x, "AddNumber", 0.5),
    (lambda x, c: x ** c, "Pow", 2), (lambda x, c: x ** c, "Pow", 3.0), (lambda x, c: x ** c, "Pow", -1),
])
def test_the_operators_number_path_records_what_function_apply_records(mode, operator, op_class, c):
    # Tensor's operators hand x * 2.5, x + 1 and x ** 2 to a two-argument apply of their own
    # (function.operator_apply); Function.apply is the general one
    op = getattr(minigrad.ops.arithmetic, op_class)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # anomaly mode warns that it is on
        fast = _number_op_record(lambda x: operator(x, c), mode)
        general = _number_op_record(lambda x: op.apply(x, c), mode)
    assert fast == general
    if mode is contextlib.nullcontext:
        assert fast["name"] == {"MulNumber": "MulBackward0", "AddNumber": "AddBackward0",
                                "Pow": "PowBackward0"}[op_class]
        assert fast["requires_grad"] and not fast["is_leaf"]


def _tensor_op_record(make, mode, wants):
    """What `make(x, y)` gives in `mode`, x and y requiring grad as `wants` says."""
    x = minigrad.tensor([[1.5, -2.0], [0.5, 3.0]], requires_grad=wants[0])
    y = minigrad.tensor([[0.25, 4.0], [-1.0, 2.0]], requires_grad=wants[1])
    with mode():
        out = make(x, y)
    node = out.grad_fn
    record = {"value": out.detach().numpy().tolist(), "dtype": out.dtype, "requires_grad": out.requires_grad,
              "inference": out.is_inference(), "version": out._version}
    if node is not None:
        record.update(name=node.name(), next=[(type(n).__name__, i) for n, i in node.next_functions],
                      shapes=node._input_shapes, dtypes=node._input_dtypes, needs=node.needs_input_grad,
                      stack=getattr(node, "_forward_stack", None) is not None)
        out.backward(minigrad.tensor([[1.0, -0.5], [2.0, 0.25]]))
        record["grads"] = [None if t.grad is None else t.grad.numpy().tolist() for t in (x, y)]
    return record


@pytest.mark.parametrize("mode", [contextlib.nullcontext, minigrad.no_grad, minigrad.inference_mode,
                                  lambda: minigrad.autograd.detect_anomaly(check_nan=False)])
@pytest.mark.parametrize("wants", [(True, True), (True, False), (False, True), (False, False)])
@pytest.mark.parametrize("operator, general", [
    (lambda x, y: x + y, lambda x, y: minigrad.ops.arithmetic.Add.apply(x, y, 1)),
    (lambda x, y: x - y, lambda x, y: minigrad.ops.arithmetic.Sub.apply(x, y, 1)),
    (lambda x, y: x * y, lambda x, y: minigrad.ops.arithmetic.Mul.apply(x, y)),
    (lambda x, y: x / y, lambda x, y: minigrad.ops.arithmetic.Div.apply(x, y)),
    (lambda x, y: x @ y, lambda x, y: Mm.apply(x, y)),
])
def test_the_operators_two_tensor_path_records_what_function_apply_records(mode, wants, operator, general):
    # x + y, x - y, x * y, x / y and x @ w of two float tensors of the same dtype have an apply of
    # their own (function.operator_apply); Function.apply is the general one
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # anomaly mode warns that it is on
        fast = _tensor_op_record(operator, mode, wants)
        slow = _tensor_op_record(general, mode, wants)
    assert fast == slow
    if mode is contextlib.nullcontext and any(wants):
        assert fast["requires_grad"] and len(fast["shapes"]) in (2, 3)
