"""The losses of ops/loss.py (and the label-smoothing and probability-target cross-entropies spelled out
in ops) against torch: values, dtypes, grad_fn names, gradients of the input and of a target that
requires grad, second derivatives, and torch's errors."""
import pytest

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.torch, pytest.mark.filterwarnings("error::RuntimeWarning")]

import numpy as np  # noqa: E402

import minigrad  # noqa: E402
from tests.ops._differential import both, check, check_double, check_error, values  # noqa: E402

REDUCTIONS = ["mean", "sum", "none"]
DTYPES = ["float32", "float64"]


def F(lib):
    return lib.nn.functional


def classes(seed, shape, n_classes=3, ignored=()):
    """Class indices, some of them replaced by ignore_index values."""
    target = np.random.default_rng(seed).integers(0, n_classes, shape)
    for position, value in zip(np.ndindex(*shape), ignored):
        target[position] = value
    return both(target)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", [((4, 3), (4, 3)), ((4, 3), (3,)), ((), ()), ((2, 1, 3), (4, 1))], ids=str)
@pytest.mark.filterwarnings("ignore:Using a target size")  # broadcasting shapes: torch warns, and so does minigrad
def test_mse_loss(shapes, dtype, reduction):
    x, y = values(1, shapes[0]).astype(dtype), values(2, shapes[1]).astype(dtype)
    check(lambda lib, a, b: F(lib).mse_loss(a, b, reduction=reduction), x, y)
    check_double(lambda lib, a, b: F(lib).mse_loss(a, b, reduction=reduction), x, y)


def test_mse_loss_of_mixed_dtypes_and_constant_targets():
    x = values(3, (2, 3)).astype("float32")
    check(lambda lib, a, b: F(lib).mse_loss(a, b), x, both(values(4, (2, 3)), requires_grad=False))
    check(lambda lib, a, b: F(lib).mse_loss(a, b), x, values(5, (2, 3)))  # float64 target: promoted
    check(lambda lib, a, b: F(lib).mse_loss(a, b, reduction="none"), both(x, requires_grad=False), x)


@pytest.mark.filterwarnings("ignore:Using a target size")
def test_mse_loss_errors():
    check_error(lambda lib: F(lib).mse_loss(lib.tensor([1, 2]), lib.tensor([2, 3])))
    check_error(lambda lib: F(lib).mse_loss(lib.ones(2, 3), lib.ones(3, 2)))
    check_error(lambda lib: F(lib).mse_loss(lib.ones(2), lib.ones(2), reduction="average"))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignored", [(), (-100,), (1,), (-100,) * 4], ids=["none", "one", "a class", "all"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_with_class_indices(ignored, weighted, reduction, smoothing):
    ignore_index = ignored[0] if ignored else -100
    x = values(6, (4, 3))
    target = classes(7, (4,), ignored=ignored)
    weight = both(np.array([0.2, 1.0, 2.5]), requires_grad=False) if weighted else None

    def loss(lib, a, t, *w):
        return F(lib).cross_entropy(a, t, *w, ignore_index=ignore_index, reduction=reduction,
                                    label_smoothing=smoothing)

    inputs = (x, target) + ((weight,) if weighted else ())
    check(loss, *inputs)
    check_double(loss, *inputs)

    def nll(lib, a, t, *w):
        return F(lib).nll_loss(a, t, *w, ignore_index=ignore_index, reduction=reduction)

    check(nll, *inputs)
    # its gradient is a constant, but torch's depends on the input (NllLossBackwardBackward0): the
    # second derivative is 0, not an error that nothing requires grad
    check_double(nll, *inputs)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(3,), (2, 3, 5), (2, 3, 2, 2), (2, 3, 1, 2, 2)], ids=str)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_of_one_sample_and_of_images(shape, reduction, smoothing):
    x = values(8, shape).astype("float32")
    target = classes(9, shape[:1] + shape[2:] if len(shape) > 1 else (), ignored=(-100,))

    def loss(lib, a, t):
        return F(lib).cross_entropy(a, t, reduction=reduction, label_smoothing=smoothing)

    check(loss, x, target)
    check_double(loss, x, target)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 3, 2, 2), (2, 3, 1, 2, 2)], ids=str)
def test_nll_loss_gradient_is_an_op_of_its_own(shape, reduction):
    """With create_graph, nll_loss's gradient is torch's NllLossBackwardBackward0 node (2D for images),
    pointing at the incoming gradient and the input: differentiable, with derivative 0 in the input."""
    x = values(10, shape).astype("float32")
    target = classes(11, shape[:1] + shape[2:] if len(shape) > 1 else (), ignored=(-100,))
    names = {}
    for lib, side in ((minigrad, 0), (torch, 1)):
        a = both(x)[side]
        loss = F(lib).nll_loss(a, target[side], reduction=reduction)
        (g,) = lib.autograd.grad(loss, a, lib.ones_like(loss, requires_grad=True), create_graph=True)
        nodes = (g.grad_fn,) + tuple(n for n, _ in g.grad_fn.next_functions)
        names[lib.__name__] = [type(n).__name__ for n in nodes]
    assert names["minigrad"] == names["torch"]
    check_double(lambda lib, a, t: F(lib).nll_loss(a, t, reduction=reduction), x, target)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_with_probabilities_that_require_grad(weighted, reduction, smoothing):
    p = np.abs(values(10, (4, 3))) + 0.1
    weight = (both(np.array([0.5, 1.0, 2.0]), requires_grad=False),) if weighted else ()

    def loss(lib, a, t, *w):
        return F(lib).cross_entropy(a, t, *w, reduction=reduction, label_smoothing=smoothing)

    check(loss, values(11, (4, 3)), p / p.sum(1, keepdims=True), *weight)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy(reduction, dtype):
    p = np.random.default_rng(12).uniform(0.02, 0.98, (3, 4)).astype(dtype)
    p[0, :2] = [0.0, 1.0]  # the log is clamped at -100 there, and the slope stays finite
    t = np.random.default_rng(13).uniform(0, 1, (3, 4)).astype(dtype)
    weight = both(np.random.default_rng(14).uniform(0.5, 2, (3, 1)).astype(dtype), requires_grad=False)
    check(lambda lib, a, b: F(lib).binary_cross_entropy(a, b, reduction=reduction), p, t)
    check(lambda lib, a, b, w: F(lib).binary_cross_entropy(a, b, w, reduction=reduction), p, t, weight)
    inner = np.random.default_rng(15).uniform(0.1, 0.9, (3, 4))
    # torch's second derivative is its own formula, with 1e-12 added to x and 1 - x: close, not equal
    check_double(lambda lib, a, b: F(lib).binary_cross_entropy(a, b, reduction=reduction), inner,
                 t.astype("float64"), tol=dict(rtol=1e-7, atol=1e-10))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos_weight", [None, [0.5, 1.0, 2.0, 3.0]])
def test_binary_cross_entropy_with_logits(reduction, dtype, weighted, pos_weight):
    x = (values(16, (3, 4)) * 10).astype(dtype)
    x[0, :3] = [40.0, -40.0, 0.0]  # far in the tails, where a naive formula overflows, and the kink
    t = np.random.default_rng(17).uniform(0, 1, (3, 4)).astype(dtype)
    extra = {}
    if weighted:
        extra["weight"] = both(np.random.default_rng(18).uniform(0.5, 2, (3, 4)).astype(dtype), requires_grad=False)
    if pos_weight is not None:
        extra["pos_weight"] = both(np.array(pos_weight, dtype), requires_grad=False)
    names = list(extra)

    def loss(lib, a, b, *weights):
        return F(lib).binary_cross_entropy_with_logits(a, b, reduction=reduction, **dict(zip(names, weights)))

    check(loss, x, t, *extra.values())
    if dtype == "float64":
        check_double(loss, values(19, (3, 4)), t, *extra.values())


def test_loss_errors_are_torchs():
    check_error(lambda lib: F(lib).binary_cross_entropy(lib.tensor([0.5, 1.5]), lib.tensor([0.0, 1.0])))
    check_error(lambda lib: F(lib).binary_cross_entropy(lib.tensor([0.5]), lib.tensor([0.0]),
                                                        lib.tensor([1.0], requires_grad=True)))
    check_error(lambda lib: F(lib).nll_loss(lib.ones(2, 3), lib.tensor([0, 3])))
    check_error(lambda lib: F(lib).cross_entropy(lib.ones(2, 3), lib.tensor([0, 1]),
                                                 lib.tensor([1.0, 1.0, 1.0], requires_grad=True)))
