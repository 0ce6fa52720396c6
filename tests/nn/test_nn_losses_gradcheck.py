"""The losses' and activations' input gradients against finite differences in float64 (no torch needed)."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.autograd.gradcheck import gradcheck

REDUCTIONS = ["mean", "sum", "none"]


def t(array, requires_grad=True):
    return minigrad.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def uniform(*shape, low=-2.0, high=2.0):
    return np.random.uniform(low, high, shape)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss])
def test_regression_losses(fn, reduction):
    assert gradcheck(lambda x, y: fn(x, y, reduction=reduction), (t(uniform(3, 4)), t(uniform(3, 4))))


def test_mse_loss_broadcast_and_weight():
    with pytest.warns(UserWarning, match="different to the input size"):
        assert gradcheck(lambda x, y: F.mse_loss(x, y), (t(uniform(3, 1)), t(uniform(4))))
    assert gradcheck(lambda x, y, w: F.mse_loss(x, y, weight=w), (t(uniform(2, 3)), t(uniform(2, 3)),
                                                                 t(uniform(2, 3, low=0.5, high=1))))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape,ignore", [((5, 4), -100), ((5, 4), 2), ((2, 4, 3), -100), ((4,), -100)])
def test_cross_entropy_class_indices(shape, ignore, weighted, smoothing, reduction):
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    target_shape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    target = np.random.randint(0, n_classes, target_shape)
    if target.size > 2:
        target.flat[0], target.flat[1] = ignore, 2
    target = minigrad.tensor(target)
    weight = t(uniform(n_classes, low=0.2, high=2), requires_grad=False) if weighted else None
    assert gradcheck(lambda x: F.cross_entropy(x, target, weight=weight, ignore_index=ignore,
                                               reduction=reduction, label_smoothing=smoothing),
                     (t(uniform(*shape)),))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_probabilities(smoothing, reduction):
    p = uniform(3, 4, low=0, high=1)
    assert gradcheck(lambda x, p, w: F.cross_entropy(x, p, w, reduction=reduction, label_smoothing=smoothing),
                     (t(uniform(3, 4)), t(p / p.sum(1, keepdims=True)), t(uniform(4, low=0.5, high=1))))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(reduction):
    target = minigrad.tensor([0, 3, 1, 1])
    assert gradcheck(lambda x: F.nll_loss(x, target, reduction=reduction), (t(uniform(4, 5)),))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    weight = t(uniform(3, 1, low=0.5, high=2), requires_grad=False)
    assert gradcheck(lambda p, y: F.binary_cross_entropy(p, y, weight, reduction=reduction),
                     (t(uniform(3, 4, low=0.05, high=0.95)), t(uniform(3, 4, low=0, high=1))))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", [None, [0.5, 1.0, 2.0, 3.0]])
def test_binary_cross_entropy_with_logits(pos_weight, reduction):
    pos_weight = None if pos_weight is None else t(pos_weight, requires_grad=False)
    x = uniform(3, 4, low=-5, high=5)
    x[0, :2] = [30.0, -30.0]  # far out in the tails, where the naive formula would overflow
    assert gradcheck(lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction=reduction,
                                                                     pos_weight=pos_weight),
                     (t(x), t(uniform(3, 4, low=0, high=1))))


def test_binary_cross_entropy_with_logits_gradient_is_sigmoid_minus_target():
    x = t([0.0, 0.0, 2.0, -3.0, 50.0, -50.0])
    y = t([0.0, 1.0, 0.3, 1.0, 0.0, 1.0], requires_grad=False)
    F.binary_cross_entropy_with_logits(x, y, reduction="sum").backward()
    expected = 1 / (1 + np.exp(-x.detach().numpy())) - y.numpy()
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("fn", [F.relu, F.sigmoid, F.tanh, lambda x: F.softmax(x, 1), lambda x: F.log_softmax(x, 0)])
def test_activations(fn):
    x = uniform(3, 4)
    x[np.abs(x) < 0.1] = 0.5  # keep finite differences away from relu's kink
    assert gradcheck(fn, (t(x),))


def test_linear():
    assert gradcheck(F.linear, (t(uniform(5, 3)), t(uniform(2, 3)), t(uniform(2))))
