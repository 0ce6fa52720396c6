"""backward, autograd.backward and autograd.grad: results, flags and errors compared with torch."""
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from tests.differential import check  # noqa: E402


def leaf(lib, values=(1.0, 2.0, 3.0)):
    return lib.tensor(list(values), requires_grad=True)


def test_scalar_backward():
    def scenario(lib):
        x = lib.tensor(2.0, requires_grad=True)
        y = x**2 + 3 * x + 1
        y.backward()
        return y, x.grad

    check(scenario)


def test_vector_backward_needs_gradient():
    check(lambda lib: (leaf(lib) ** 2).backward())


def test_vector_backward_with_gradient_is_vjp():
    def scenario(lib):
        x = leaf(lib)
        y = x**2
        y.backward(lib.tensor([1.0, 0.5, -1.0]))
        return x.grad

    check(scenario)


def test_single_element_non_scalar_output_gets_implicit_gradient():
    def scenario(lib):
        x = lib.tensor([3.0], requires_grad=True)
        (x * x).backward()
        return x.grad

    check(scenario)


def test_gradient_shape_mismatch():
    check(lambda lib: (leaf(lib) * 2).backward(lib.ones(2)))
    check(lambda lib: (leaf(lib)[0] ** 2).backward(lib.tensor([1.0, 1.0])))  # the tutorial's error


def test_backward_of_constant():
    check(lambda lib: lib.tensor([1.0, 2.0]).sum().backward())
    check(lambda lib: lib.autograd.grad(lib.tensor(1.0), [leaf(lib)]))


def test_backward_on_leaf_itself():
    def scenario(lib):
        x = lib.tensor(3.0, requires_grad=True)
        x.backward()
        return x.grad

    check(scenario)


def test_second_backward_through_freed_graph():
    def scenario(lib):
        x = leaf(lib)
        y = (x * x).sum()
        y.backward()
        y.backward()

    check(scenario)


def test_second_backward_without_saved_tensors_is_fine():
    def scenario(lib):
        x = leaf(lib)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        return x.grad

    check(scenario)


# What a node keeps for backward decides whether a second backward (without retain_graph) through it
# is an error: torch frees every saved tensor, including those a learner never sees, the number of
# x * 2 (kept as a tensor), the indices of x[[0, 1]] and of x.max(0), what writing into a slice keeps.
# Numbers torch keeps as numbers (x + 1; x / 2 keeps a tensor) and shapes (sum, expand, views) are not
# freed.
SECOND_BACKWARD = {
    "x * 2": lambda lib, x: x * 2,
    "2 * x": lambda lib, x: 2 * x,
    "x.mul(2)": lambda lib, x: x.mul(2),
    "mul(x, 2.5)": lambda lib, x: lib.mul(x, 2.5),
    "x.sum() * 2": lambda lib, x: x.sum() * 2,
    "x / 2": lambda lib, x: x / 2,
    "x + 1": lambda lib, x: x + 1,
    "1 - x": lambda lib, x: 1 - x,
    "-x": lambda lib, x: -x,
    "x.mean()": lambda lib, x: x.mean(),
    "x.max(0)": lambda lib, x: x.max(0).values,
    "x.min(1, keepdim)": lambda lib, x: x.min(1, keepdim=True)[0],
    "x.max()": lambda lib, x: x.max(),
    "x[0]": lambda lib, x: x[0],
    "x[1:, 0]": lambda lib, x: x[1:, 0],
    "x[:, None]": lambda lib, x: x[:, None],
    "x[[1, 0]]": lambda lib, x: x[[1, 0]],
    "x[0, [0, 1]]": lambda lib, x: x[0, [0, 1]],
    "x[tensor]": lambda lib, x: x[lib.tensor([1, 1])],
    "x[x > 0]": lambda lib, x: x[x > 0],
    "x.t().reshape(4)": lambda lib, x: x.t().reshape(4),
    "x[0].expand(3, 2)": lambda lib, x: x[0].expand(3, 2),
    "x.relu()": lambda lib, x: x.relu(),
    "y[0] = x[1] + 1": lambda lib, x: _setitem(x, 0, x[1] + 1),
    "y[1:] = 0": lambda lib, x: _setitem(x, slice(1, None), 0.0),
    "y[:] = 5": lambda lib, x: _setitem(x, slice(None), 5.0),
    "y[:] = tensor": lambda lib, x: _setitem(x, slice(None), lib.tensor([1.0, 2.0])),
    "y[tensor] = 1": lambda lib, x: _setitem(x, lib.tensor([0]), 1.0),
    "y[x > 0] = 0": lambda lib, x: _setitem(x, x > 0, 0.0),
    "nll_loss": lambda lib, x: lib.nn.functional.nll_loss(x, lib.tensor([0, 1])),
    "cross_entropy": lambda lib, x: lib.nn.functional.cross_entropy(x, lib.tensor([0, 1])),
}


def _setitem(x, key, value):
    y = x + 0
    y[key] = value
    return y


@pytest.mark.parametrize("name", sorted(SECOND_BACKWARD))
def test_second_backward_through_what_an_op_saved(name):
    def scenario(lib):
        x = lib.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
        y = SECOND_BACKWARD[name](lib, x).sum()
        y.backward()
        y.backward()
        return x.grad

    check(scenario)


# Which tensors an op keeps for backward (its input, its output, both or none) decides whether changing
# one in place before backward is torch's error, and the message names the tensor's shape and the op
# that made it ("output 0 of Max1" for MaxBackward1).
KEPT = {
    "exp": lambda lib, x, w: x.exp(),
    "x ** 2": lambda lib, x, w: x**2,
    "x * w": lambda lib, x, w: x * w,
    "x + w": lambda lib, x, w: x + w,
    "x.sum()": lambda lib, x, w: x.sum(),
    "x.max()": lambda lib, x, w: x.max(),
    "x.relu()": lambda lib, x, w: x.relu(),
    "x.relu_()": lambda lib, x, w: x.relu_(),
    "x.sigmoid()": lambda lib, x, w: x.sigmoid(),
    "x ** w": lambda lib, x, w: x**w,
    "2 ** x": lambda lib, x, w: 2**x,
    "x @ w": lambda lib, x, w: x @ w,
    "x[[1, 0]]": lambda lib, x, w: x[[1, 0]],
    "log_softmax": lambda lib, x, w: x.log_softmax(1),
    "nll_loss": lambda lib, x, w: lib.nn.functional.nll_loss(x, lib.tensor([0, 1])),
    "mse_loss": lambda lib, x, w: lib.nn.functional.mse_loss(x, w),
}


@pytest.mark.parametrize("changed", ["input", "output"])
@pytest.mark.parametrize("name", sorted(KEPT))
def test_changing_what_an_op_kept_before_backward(name, changed):
    def scenario(lib):
        x = lib.tensor([[0.5, 2.0], [1.5, 3.0]], requires_grad=True) * 1  # a non-leaf: it may change
        w = lib.tensor([[1.5, 0.5], [2.0, 1.0]], requires_grad=True)
        y = KEPT[name](lib, x, w)
        with lib.no_grad():
            (x if changed == "input" else y).add_(1)
        y.sum().backward()
        return w.grad

    check(scenario)


# autograd.grad with several things wrong: torch checks the outputs (and their gradients) before the
# inputs, and says what it found first
GRAD_MISTAKES = {
    "non-scalar output, input without grad": lambda lib: lib.autograd.grad(
        lib.ones(2, requires_grad=True) * 2, lib.ones(2)),
    "output without grad, input without grad": lambda lib: lib.autograd.grad(lib.ones(2).sum(), lib.ones(2)),
    "gradient of the wrong shape, input without grad": lambda lib: lib.autograd.grad(
        lib.ones(2, requires_grad=True) * 2, lib.ones(2), lib.ones(3)),
    "input without grad": lambda lib: lib.autograd.grad((lib.ones(2, requires_grad=True) * 2).sum(), lib.ones(2)),
}


@pytest.mark.parametrize("name", sorted(GRAD_MISTAKES))
def test_autograd_grad_reports_torchs_first_mistake(name):
    check(GRAD_MISTAKES[name])


def test_truth_of_tensors():
    for values in ([], [1.0, 2.0], [0.0], [[3.0]]):
        check(lambda lib: bool(lib.tensor(values)))


def test_retain_graph_allows_second_backward_and_accumulates():
    def scenario(lib):
        x = leaf(lib)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        first = x.grad.clone()
        y.backward()
        return first, x.grad

    check(scenario)


def test_shared_subexpressions_and_diamonds():
    def scenario(lib):
        x = leaf(lib)
        a = x * 2
        b = a.exp() + a.sin() * a
        c = (b * a).sum() + a.sum()
        c.backward()
        return x.grad

    check(scenario, rtol=1e-5)


def test_several_scalar_terms_tutorial():
    def scenario(lib):
        x = lib.tensor([2.0, 3.0], requires_grad=True)
        y1 = x[0] ** 2 + 3 * x[0] + 1
        y2 = x[1] ** 3 + 2 * x[1] - 5
        (y1 + y2).backward()
        return x.grad

    check(scenario)


def test_autograd_backward_several_outputs():
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y1 = x[0] ** 2 + 3 * x[0]
        y2 = x * x * x
        lib.autograd.backward([y1, y2], [lib.tensor(1.0), lib.tensor([1.0, 0.5])])
        return x.grad

    check(scenario)


def test_autograd_backward_mismatched_counts():
    def scenario(lib):
        x = leaf(lib)
        lib.autograd.backward([x.sum(), (x * 2).sum()], [lib.tensor(1.0)])

    # torch's wording here comes from deep inside its C++ checks; the class must match
    from tests.differential import capture
    import minigrad

    m, _ = capture(scenario, minigrad)
    t, _ = capture(scenario, torch)
    assert m.cls == t.cls == "RuntimeError"


def test_backward_inputs_only_accumulates_those():
    def scenario(lib):
        x, w = leaf(lib), leaf(lib, (4.0, 5.0, 6.0))
        (x * w).sum().backward(inputs=[w])
        return x.grad, w.grad

    check(scenario)


def test_backward_inputs_non_leaf():
    def scenario(lib):
        x = leaf(lib)
        y = x * 2
        (y * y).sum().backward(inputs=[y])
        return y.grad, x.grad

    check(scenario)


def test_backward_inputs_empty():
    check(lambda lib: (leaf(lib) * 2).sum().backward(inputs=[]))


def test_grad_returns_and_leaves_dot_grad_alone():
    def scenario(lib):
        x, w = leaf(lib), leaf(lib, (4.0, 5.0, 6.0))
        gx, gw = lib.autograd.grad((x * w).sum(), [x, w])
        return gx, gw, x.grad, w.grad

    check(scenario)


def test_grad_with_respect_to_intermediate():
    def scenario(lib):
        x = leaf(lib)
        h = x.exp()
        y = (h * h).sum()
        (gh,) = lib.autograd.grad(y, h)
        return gh

    check(scenario)


def test_grad_unused_input():
    def scenario(lib):
        x, u = leaf(lib), leaf(lib)
        return lib.autograd.grad((x * 2).sum(), [x, u])

    check(scenario)


def test_grad_allow_unused():
    def scenario(lib):
        x, u = leaf(lib), leaf(lib)
        return lib.autograd.grad((x * 2).sum(), [x, u], allow_unused=True)

    check(scenario)


def test_grad_materialize_grads():
    def scenario(lib):
        x, u = leaf(lib), leaf(lib)
        return lib.autograd.grad((x * 2).sum(), [x, u], materialize_grads=True)

    check(scenario)


def test_grad_input_not_requiring_grad():
    check(lambda lib: lib.autograd.grad((leaf(lib) * 2).sum(), [lib.ones(3)]))


def test_grad_with_grad_outputs():
    def scenario(lib):
        x = leaf(lib)
        return lib.autograd.grad(x * x, x, grad_outputs=lib.tensor([1.0, 2.0, 3.0]))

    check(scenario)


def test_higher_order_derivatives():
    def scenario(lib):
        x = lib.tensor(1.5, requires_grad=True)
        y = x**4 + x.sin() * x
        (g1,) = lib.autograd.grad(y, x, create_graph=True)
        (g2,) = lib.autograd.grad(g1, x, create_graph=True)
        (g3,) = lib.autograd.grad(g2, x, create_graph=True)
        (g4,) = lib.autograd.grad(g3, x)
        return g1, g2, g3, g4

    check(scenario, compare_grad_fn=False)


def test_hessian_vector_product():
    def scenario(lib):
        x = leaf(lib)
        y = (x.exp() * x.sum()).sum() + (x**3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (hv,) = lib.autograd.grad(g, x, grad_outputs=lib.tensor([1.0, -1.0, 0.5]))
        return g.requires_grad, hv

    check(scenario, rtol=1e-4)


def test_backward_create_graph_warns_and_grad_has_graph():
    def scenario(lib):
        x = lib.tensor(2.0, requires_grad=True)
        (x**3).backward(create_graph=True)
        g = x.grad
        return g.requires_grad, g.grad_fn is None, g

    check(scenario, compare_grad_fn=False)


def test_gradient_accumulates_across_calls():
    def scenario(lib):
        x = leaf(lib)
        for _ in range(3):
            (x * x).sum().backward()
        return x.grad

    check(scenario)


def test_broadcast_gradients_summed_back():
    def scenario(lib):
        a = lib.tensor([[1.0], [2.0]], requires_grad=True)  # (2, 1)
        b = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)  # (3,)
        s = lib.tensor(0.5, requires_grad=True)  # 0-d
        ((a * b + s) ** 2).sum().backward()
        return a.grad, b.grad, s.grad

    check(scenario)


def test_dtype_promotion_gradients_cast_back():
    def scenario(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], dtype=lib.float64, requires_grad=True)
        y = a * b
        y.sum().backward()
        return y, a.grad, b.grad

    check(scenario)


def test_grad_mode_blocks():
    def scenario(lib):
        x = leaf(lib)
        with lib.no_grad():
            a = x * 2
            with lib.enable_grad():
                b = x * 2
            c = x * 2
        with lib.set_grad_enabled(False):
            d = x * 2
        e = x * 2
        lib.set_grad_enabled(False)
        f = x * 2
        lib.set_grad_enabled(True)
        return [t.requires_grad for t in (a, b, c, d, e, f)], lib.is_grad_enabled()

    check(scenario)


def test_grad_mode_decorators_and_exceptions():
    def scenario(lib):
        x = leaf(lib)

        @lib.no_grad()
        def f(t):
            return t * 2, lib.is_grad_enabled()

        @lib.no_grad
        def g(t):
            return t * 2

        @lib.enable_grad()
        def h(t):
            return t * 2

        @lib.inference_mode()
        def k(t):
            return t * 2

        states = []
        try:
            with lib.no_grad():
                raise ValueError("boom")
        except ValueError:
            states.append(lib.is_grad_enabled())
        with lib.no_grad():
            inner = h(x).requires_grad
        return f(x)[0].requires_grad, f(x)[1], g(x).requires_grad, inner, k(x).requires_grad, states, lib.is_grad_enabled()

    check(scenario)


def test_set_grad_enabled_decorator():
    def scenario(lib):
        x = leaf(lib)

        @lib.set_grad_enabled(False)
        def f(t):
            return t * 2

        before = lib.is_grad_enabled()
        return before, f(x).requires_grad, lib.is_grad_enabled()

    check(scenario)


def test_inference_mode_tensors():
    def scenario(lib):
        x = leaf(lib)
        with lib.inference_mode():
            y = x * 2
        return y.requires_grad, y.is_inference(), x.is_inference(), lib.is_inference_mode_enabled()

    check(scenario)


def test_inference_tensor_cannot_be_saved_for_backward():
    def scenario(lib):
        x = leaf(lib)
        with lib.inference_mode():
            c = lib.ones(3)
        (x * c).sum().backward()

    check(scenario)


def test_backward_inside_no_grad_still_works():
    def scenario(lib):
        x = leaf(lib)
        y = (x * x).sum()
        with lib.no_grad():
            y.backward()
        return x.grad

    check(scenario)


def test_custom_function():
    def scenario(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x**3

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 3 * x**2

        x = leaf(lib)
        y = Cube.apply(x)
        y.sum().backward()
        return y.grad_fn.name(), x.grad, y.requires_grad

    check(scenario)


def test_custom_function_sees_needs_input_grad():
    # forward may ask which inputs need a gradient: in a graph, under no_grad, and with a constant input
    def scenario(lib):
        seen = []

        class Scale(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k, c):
                seen.append(tuple(ctx.needs_input_grad))
                return x * c * k

            @staticmethod
            def backward(ctx, grad):
                return grad * 2.0, grad, None

        x, k = leaf(lib), lib.tensor(2.0)
        Scale.apply(x, k, 2.0).sum().backward()
        with lib.no_grad():
            Scale.apply(x, k, 2.0)
        Scale.apply(k, x, 2.0)
        return seen, x.grad

    check(scenario)


def test_anomaly_detection_names_the_op():
    def scenario(lib):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        with lib.autograd.detect_anomaly():
            y = (x.sqrt() * 0).sum()
            y.backward()

    from tests.differential import capture
    import minigrad

    m, _ = capture(scenario, minigrad)
    t, _ = capture(scenario, torch)
    assert m.cls == t.cls == "RuntimeError"
    assert m.message.startswith(t.message), (m.message, t.message)


def test_next_functions_list_tensor_inputs_only():
    def scenario(lib):
        x, y = leaf(lib), leaf(lib)
        add = (x + y).grad_fn.next_functions
        const = (x + 1).grad_fn.next_functions
        summed = (x * y).sum().grad_fn.next_functions
        mixed = (x * lib.ones(3)).grad_fn.next_functions
        return [[type(n).__name__ if n is not None else None for n, _ in f] for f in (add, const, summed, mixed)]

    check(scenario)
