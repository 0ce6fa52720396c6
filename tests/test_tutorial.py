"""The source tutorial's examples (shared/seed/autograd-tutorial.zh.txt, sections 1-4) as tests.

Each test runs twice: on minigrad and on torch (skipped when torch is absent). The fixture is
called ``torch`` so the bodies read exactly like the tutorial's code. Where the tutorial is wrong
the tests assert what really happens, on both engines.
"""
import subprocess
import sys
import warnings

import numpy as np
import pytest

from tests.conftest import normalise

ENGINES = [
    pytest.param("minigrad", id="minigrad"),
    pytest.param("torch", id="torch", marks=pytest.mark.torch),
]


@pytest.fixture(params=ENGINES)
def torch(request):
    """The engine under test, imported under the tutorial's name."""
    if request.param == "torch":
        engine = pytest.importorskip("torch")
    else:
        import minigrad as engine
    import importlib

    for sub in ("autograd", "optim"):
        importlib.import_module(f"{engine.__name__}.{sub}")
    return engine


def assert_torch_error(torch, excinfo, torch_text: str) -> None:
    """torch raises exactly torch_text; minigrad starts with it (names normalised), then teaches."""
    message = str(excinfo.value)
    if torch.__name__ == "torch":
        assert message == torch_text
    else:
        assert normalise(message).startswith(normalise(torch_text)), message


def values(t):
    return t.tolist()


MISMATCH = ("Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and output[0] "
            "has a shape of torch.Size([]).")
SECOND_BACKWARD = ("Trying to backward through the graph a second time (or directly access saved "
                   "tensors after they have already been freed). Saved intermediate values of the "
                   "graph are freed when you call .backward() or autograd.grad(). Specify "
                   "retain_graph=True if you need to backward through the graph a second time or if "
                   "you need to access saved tensors after calling backward.")
LEAF_IN_PLACE = "a leaf Variable that requires grad is being used in an in-place operation."
NOT_SCALAR = "grad can be implicitly created only for scalar outputs"
INT_GRAD = "Only Tensors of floating point and complex dtype can require gradients"
MODIFIED = "one of the variables needed for gradient computation has been modified by an inplace operation"


# 1.1 Tensors --------------------------------------------------------------------------------


def test_requires_grad_defaults_to_false(torch):
    assert torch.tensor([1.0, 2.0]).requires_grad is False
    assert torch.tensor([1.0, 2.0], requires_grad=True).requires_grad is True
    x = torch.tensor([1.0, 2.0])
    assert x.requires_grad_() is x and x.requires_grad is True


def test_only_floating_point_tensors_can_require_grad(torch):
    with pytest.raises(RuntimeError) as excinfo:
        torch.tensor([1, 2], requires_grad=True)
    assert_torch_error(torch, excinfo, INT_GRAD)


# 1.2 The computation graph: z = x * y; loss = z.sum() ------------------------------------------


def test_graph_of_z_equals_x_times_y(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 4.0], requires_grad=True)
    z = x * y
    loss = z.sum()
    assert loss.grad_fn.name() == "SumBackward0"
    assert z.grad_fn.name() == "MulBackward0"
    # loss depends on z; z depends on the leaves x and y (reached through AccumulateGrad nodes).
    assert loss.grad_fn.next_functions[0][0] is z.grad_fn
    (acc_x, _), (acc_y, _) = z.grad_fn.next_functions
    assert acc_x.variable is x and acc_y.variable is y
    loss.backward()
    assert values(x.grad) == [3.0, 4.0]
    assert values(y.grad) == [1.0, 2.0]


# Leaf nodes ------------------------------------------------------------------------------------


def test_is_leaf_example(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x**2
    z = y.sum()
    assert (x.is_leaf, y.is_leaf, z.is_leaf) == (True, False, False)
    assert x.grad_fn is None and y.grad_fn is not None and z.grad_fn is not None


def test_tensors_that_do_not_require_grad_are_leaves_too(torch):
    # The tutorial's definition mentions requires_grad=True; by convention every tensor that does
    # not require grad is a leaf as well, whether the user made it or an operation did.
    a = torch.tensor([1.0, 2.0])
    b = a * 2
    assert a.is_leaf and b.is_leaf and b.grad_fn is None


def test_grad_is_stored_on_leaves_only(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x**2
    z = y.sum()
    z.backward()
    assert values(x.grad) == [2.0, 4.0, 6.0]
    with pytest.warns(UserWarning, match="not a leaf Tensor is being accessed"):
        assert y.grad is None


def test_retain_grad_keeps_a_non_leaf_grad(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x**2
    y.retain_grad()
    y.sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert values(y.grad) == [1.0, 1.0, 1.0]
    assert y.is_leaf is False


def test_leaf_grad_is_not_cleared_automatically(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x**2).sum().backward()
    (x**2).sum().backward()
    assert values(x.grad) == [4.0, 8.0, 12.0]
    x.grad.zero_()
    assert values(x.grad) == [0.0, 0.0, 0.0]
    torch.optim.SGD([x], lr=0.1).zero_grad()
    assert x.grad is None  # zero_grad() sets grads to None by default, as torch does


def test_backward_frees_saved_buffers_not_the_tensors(torch):
    # The table says non-leaves are "freed" after backward. What is freed is the graph's saved
    # buffers: the non-leaf tensors still exist, with their values and grad_fn.
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x**2
    z = y.sum()
    z.backward()
    assert values(y) == [1.0, 4.0, 9.0] and values(z) == 14.0
    assert y.grad_fn is not None and z.grad_fn is not None
    with pytest.raises(RuntimeError) as excinfo:
        z.backward()
    assert_torch_error(torch, excinfo, SECOND_BACKWARD)


def test_retain_graph_allows_a_second_backward(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    z = (x**2).sum()
    z.backward(retain_graph=True)
    z.backward()
    assert values(x.grad) == [4.0, 8.0, 12.0]


# detach() -----------------------------------------------------------------------------------


def test_detach_shares_storage(torch):
    # The tutorial claims x stays [1., 2., 3.]; in fact y shares x's storage, so x changes too.
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.detach()
    y += 1
    assert values(x) == [2.0, 3.0, 4.0]
    assert values(y) == [2.0, 3.0, 4.0]
    assert x.requires_grad is True and x.is_leaf
    assert y.requires_grad is False and y.is_leaf and y.grad_fn is None


def test_detach_clone_is_an_independent_copy(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.detach().clone()
    y += 1
    assert values(x) == [1.0, 2.0, 3.0]
    assert values(y) == [2.0, 3.0, 4.0]


def test_data_shares_storage_too(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    d = x.data
    d += 1
    assert values(x) == [2.0, 3.0, 4.0]
    assert d.requires_grad is False


def test_changing_a_detached_view_breaks_a_pending_backward(torch):
    # "Modifying y does not affect x's gradient computation" is not true either: the graph
    # saved x for x**2, and torch notices that its storage was changed through y.
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    z = (x**2).sum()
    x.detach().add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        z.backward()


# 2.1 - 2.4 Computing gradients --------------------------------------------------------------


def test_scalar_gradient(torch):
    x = torch.tensor(2.0, requires_grad=True)
    y = x**2 + 3 * x + 1
    y.backward()
    assert x.grad.item() == 7.0
    assert x.grad.shape == torch.Size([]) and x.grad.dtype == torch.float32


def test_vector_gradient(torch):
    x = torch.tensor([2.0, 3.0], requires_grad=True)
    y = x**2
    y.backward(torch.tensor([1.0, 1.0]))
    assert values(x.grad) == [4.0, 6.0]


def test_vector_output_needs_a_gradient_argument(torch):
    x = torch.tensor([2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError) as excinfo:
        (x**2).backward()
    assert_torch_error(torch, excinfo, NOT_SCALAR)


def test_sum_of_scalar_terms(torch):
    x = torch.tensor([2.0, 3.0], requires_grad=True)
    y1 = x[0] ** 2 + 3 * x[0] + 1
    y2 = x[1] ** 3 + 2 * x[1] - 5
    y = y1 + y2
    y.backward()
    assert values(x.grad) == [7.0, 29.0]


def test_multi_vector_example_as_written_raises(torch):
    # The tutorial's 2.4: y1 is a scalar, so a gradient of shape [2] does not fit it.
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y1 = x[0] ** 2 + 3 * x[0]
    grad_outputs = torch.tensor([1.0, 1.0])
    with pytest.raises(RuntimeError) as excinfo:
        y1.backward(grad_outputs)
    assert_torch_error(torch, excinfo, MISMATCH)
    assert x.grad is None


def test_several_outputs_with_autograd_backward(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y1 = x[0] ** 2 + 3 * x[0]
    y2 = x[1] ** 3 + 2 * x[1]
    torch.autograd.backward([y1, y2], [torch.tensor(1.0), torch.tensor(1.0)])
    assert values(x.grad) == [5.0, 14.0]


def test_several_outputs_by_stacking(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y1 = x[0] ** 2 + 3 * x[0]
    y2 = x[1] ** 3 + 2 * x[1]
    torch.stack([y1, y2]).backward(torch.tensor([1.0, 1.0]))
    assert values(x.grad) == [5.0, 14.0]


def test_several_outputs_weighted_with_autograd_grad(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y1 = x[0] ** 2 + 3 * x[0]
    y2 = x[1] ** 3 + 2 * x[1]
    (g,) = torch.autograd.grad([y1, y2], [x], [torch.tensor(2.0), torch.tensor(0.5)])
    assert values(g) == [10.0, 7.0]
    assert x.grad is None  # autograd.grad returns gradients instead of accumulating them


# 3.1 - 3.3 Controlling gradient computation --------------------------------------------------


def test_no_grad(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        y = x * 2
        assert torch.is_grad_enabled() is False
    assert y.requires_grad is False and y.grad_fn is None and y.is_leaf
    assert torch.is_grad_enabled() is True
    assert (x * 2).requires_grad is True


def test_set_grad_enabled_false(torch):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.set_grad_enabled(False):
        y = x * 2
    assert y.requires_grad is False and y.grad_fn is None
    assert torch.is_grad_enabled() is True


def test_accumulating_gradients_over_mini_batches(torch):
    rng = np.random.default_rng(0)
    inputs, targets = rng.normal(size=(8, 3)).tolist(), rng.normal(size=8).tolist()
    w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    X, t = torch.tensor(inputs), torch.tensor(targets)
    for batch in (slice(0, 4), slice(4, 8)):
        ((X[batch] @ w - t[batch]) ** 2).sum().backward()
    (full,) = torch.autograd.grad(((X @ w - t) ** 2).sum(), [w])
    np.testing.assert_allclose(values(w.grad), values(full), rtol=1e-5, atol=1e-6)


def test_optimizer_zero_grad_backward_step(torch):
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.1)
    for _ in range(2):
        optimizer.zero_grad()
        y = (w**2).sum()
        y.backward()
        optimizer.step()
    # Each step multiplies w by (1 - 0.1 * 2); without zero_grad the second step would overshoot.
    np.testing.assert_allclose(values(w), [0.64, -1.28], rtol=1e-6)


# 4.1 - 4.2 Case studies ---------------------------------------------------------------------


def test_descent_to_minimum(torch):
    x = torch.tensor(2.0, requires_grad=True)
    for _ in range(100):
        y = x**2 + 3 * x + 1
        y.backward()
        with torch.no_grad():
            x -= 0.1 * x.grad
        x.grad.zero_()
    assert x.item() == pytest.approx(-1.5, abs=1e-6)
    assert x.is_leaf and x.requires_grad and x.grad.item() == 0.0


def test_in_place_update_of_a_leaf_needs_no_grad(torch):
    x = torch.tensor(2.0, requires_grad=True)
    (x**2).backward()
    with pytest.raises(RuntimeError) as excinfo:
        x -= 0.1 * x.grad
    assert_torch_error(torch, excinfo, LEAF_IN_PLACE)


def test_descent_through_data(torch):
    def func(x):
        return x**2 - 4 * x + 3

    x = torch.tensor(3.0, requires_grad=True)
    for i in range(100):
        y = func(x)
        y.backward()
        x.data -= 0.1 * x.grad
        x.grad.zero_()
    assert x.item() == pytest.approx(2.0, abs=1e-6)
    assert x.is_leaf and x.requires_grad


def test_fitting_coefficients_from_noisy_data(torch):
    # The real parameter fit the tutorial's 4.2 does not do: learn a, b, c of a*x**2 + b*x + c.
    rng = np.random.default_rng(1)
    xs = np.linspace(-2.0, 2.0, 100)
    ys = 2.0 * xs**2 - 3.0 * xs + 0.5 + 0.3 * rng.normal(size=xs.size)
    design = np.stack([xs**2, xs, np.ones_like(xs)], axis=1)
    exact = np.linalg.lstsq(design, ys, rcond=None)[0]

    features, y = torch.tensor(design.tolist()), torch.tensor(ys.tolist())
    coef = torch.zeros(3, requires_grad=True)
    optimizer = torch.optim.Adam([coef], lr=0.1)
    for _ in range(300):
        optimizer.zero_grad()
        loss = ((features @ coef - y) ** 2).mean()
        loss.backward()
        optimizer.step()
    np.testing.assert_allclose(values(coef), exact, atol=1e-3)


# The demo -----------------------------------------------------------------------------------


def test_demo_runs_without_torch_and_prints_the_results():
    code = ("import sys; sys.modules['torch'] = None; sys.modules['matplotlib'] = None; "
            "import runpy; runpy.run_module('minigrad.demo', run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "x.grad = 7 " in out
    assert "x.grad = [4, 6]" in out
    assert "x.grad = [7, 29]" in out
    assert "x = [2, 3, 4], y = [2, 3, 4]" in out
    assert "Mismatch in shape" in out
    assert "x.grad = [5, 14]" in out
    assert "x = -1.5000" in out
    assert "least squares" in out


def test_demo_as_module():
    done = subprocess.run([sys.executable, "-m", "minigrad.demo"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "-1.5" in done.stdout
