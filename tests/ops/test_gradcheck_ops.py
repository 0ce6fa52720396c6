"""Every op with a backward, checked in float64 against central differences: first derivatives
(backward) and second derivatives (backward of backward, create_graph=True). No torch needed.

Inputs stay away from the places where an op has a kink (0 for abs/relu, the bounds of clamp,
ties of max/min/maximum), where a finite difference straddles two slopes.
"""
import numpy as np
import pytest

import minigrad
from tests.ops._numgrad import check_first, check_second

rng = np.random.default_rng(1234)


def r(*shape, low=-2.0, high=2.0):
    """Random values, none of them near 0 (and all different)."""
    x = rng.uniform(low, high, size=shape)
    return np.where(np.abs(x) < 0.2, x + np.sign(x + 1e-12) * 0.3, x)


def pos(*shape):
    return rng.uniform(0.5, 2.0, size=shape)


def distinct(*shape):
    """A random permutation of well separated values: no ties, no zeros."""
    n = int(np.prod(shape))
    return (rng.permutation(n) - n / 2 + 0.5).reshape(shape) * 0.7


CASES = {
    # arithmetic, with broadcasting and 0-d operands
    "add": (lambda a, b: a + b, [r(2, 3), r(3)]),
    "add_alpha": (lambda a, b: minigrad.add(a, b, alpha=-2.5), [r(2, 1), r(1, 3)]),
    "sub": (lambda a, b: a - b, [r(2, 3), r()]),
    "rsub": (lambda a: 2.5 - a, [r(2, 3)]),
    "mul": (lambda a, b: a * b, [r(4, 1, 3), r(2, 1)]),
    "mul_same": (lambda a: a * a, [r(3)]),
    "div": (lambda a, b: a / b, [r(2, 3), r(3)]),
    "rdiv": (lambda a: 3.0 / a, [r(2, 3)]),
    "reciprocal": (lambda a: a.reciprocal(), [r(4)]),
    "neg": (lambda a: -a, [r(2, 2)]),
    "pow_2": (lambda a: a ** 2, [r(3)]),
    "pow_3": (lambda a: a ** 3, [r(2, 3)]),
    "pow_half": (lambda a: a ** 0.5, [pos(3)]),
    "pow_minus_1_5": (lambda a: a ** -1.5, [pos(2, 2)]),
    "pow_0": (lambda a: a ** 0, [r(3)]),
    "pow_tensor": (lambda a, b: a ** b, [pos(2, 3), r(3)]),
    "rpow": (lambda a: 2.0 ** a, [r(2, 3)]),
    "matmul_1d_1d": (lambda a, b: a @ b, [r(3), r(3)]),
    "matmul_2d_1d": (lambda a, b: a @ b, [r(2, 3), r(3)]),
    "matmul_1d_2d": (lambda a, b: a @ b, [r(3), r(3, 2)]),
    "matmul_2d_2d": (lambda a, b: a @ b, [r(2, 3), r(3, 4)]),
    "matmul_3d_2d": (lambda a, b: a @ b, [r(2, 2, 3), r(3, 2)]),
    "matmul_2d_3d": (lambda a, b: a @ b, [r(2, 3), r(2, 3, 2)]),
    "matmul_1d_3d": (lambda a, b: a @ b, [r(3), r(2, 3, 2)]),
    "matmul_3d_1d": (lambda a, b: a @ b, [r(2, 2, 3), r(3)]),
    "matmul_batch_broadcast": (lambda a, b: a @ b, [r(2, 1, 2, 3), r(3, 3, 2)]),
    # element-wise
    "exp": (lambda a: a.exp(), [r(2, 3)]),
    "log": (lambda a: a.log(), [pos(2, 3)]),
    "sqrt": (lambda a: a.sqrt(), [pos(2, 3)]),
    "sin": (lambda a: a.sin(), [r(2, 3)]),
    "cos": (lambda a: a.cos(), [r(2, 3)]),
    "tanh": (lambda a: a.tanh(), [r(2, 3)]),
    "sigmoid": (lambda a: a.sigmoid(), [r(2, 3)]),
    "relu": (lambda a: a.relu(), [r(2, 3)]),
    "abs": (lambda a: a.abs(), [r(2, 3)]),
    "clamp_min": (lambda a: a.clamp(min=-0.5), [distinct(2, 3)]),
    "clamp_max": (lambda a: a.clamp(max=0.5), [distinct(2, 3)]),
    "clamp_both": (lambda a: a.clamp(-0.5, 0.8), [distinct(2, 3)]),
    "clamp_tensors": (lambda a, lo, hi: minigrad.clamp(a, lo, hi),
                      [r(2, 3), r(3, low=-3, high=-0.5), pos(2, 1)]),
    "maximum": (lambda a, b: minigrad.maximum(a, b), [r(2, 3), r(3)]),
    "minimum": (lambda a, b: minigrad.minimum(a, b), [r(2, 3), r(2, 1)]),
    "where": (lambda a, b: minigrad.where(minigrad.tensor([True, False, True]), a, b), [r(2, 3), r(1)]),
    "where_number": (lambda a: minigrad.where(a > 0, a, 0.5), [r(2, 3)]),
    # reductions
    "sum": (lambda a: a.sum(), [r(2, 3)]),
    "sum_dim": (lambda a: a.sum(-1, keepdim=True), [r(2, 3)]),
    "sum_dims": (lambda a: a.sum((0, 2)), [r(2, 3, 2)]),
    "mean": (lambda a: a.mean(), [r(2, 3)]),
    "mean_dims": (lambda a: a.mean((-1, 0), keepdim=True), [r(2, 3, 2)]),
    "max": (lambda a: a.max(), [distinct(2, 3)]),
    "min": (lambda a: a.min(), [distinct(2, 3)]),
    "max_dim": (lambda a: a.max(1).values, [distinct(2, 3)]),
    "min_dim_keepdim": (lambda a: a.min(0, keepdim=True).values, [distinct(2, 3)]),
    "amax": (lambda a: a.amax((0, 1)), [distinct(2, 3, 2)]),
    "var": (lambda a: a.var(), [r(2, 3)]),
    "var_dim": (lambda a: a.var(1, correction=0, keepdim=True), [r(2, 3)]),
    "std": (lambda a: a.std(), [r(2, 3)]),
    "std_dims": (lambda a: a.std((0, 2)), [r(2, 3, 2)]),
    "logsumexp": (lambda a: a.logsumexp(1), [r(2, 3)]),
    "logsumexp_dims": (lambda a: a.logsumexp((0, 2), keepdim=True), [r(2, 3, 2)]),
    "softmax": (lambda a: a.softmax(-1), [r(2, 3)]),
    "softmax_dim0": (lambda a: a.softmax(0), [r(2, 3)]),
    "log_softmax": (lambda a: a.log_softmax(1), [r(2, 3)]),
    "log_softmax_dim0": (lambda a: a.log_softmax(0), [r(3, 2)]),
    # shapes
    "reshape": (lambda a: a.reshape(3, -1) * 1.5, [r(2, 3)]),
    "view": (lambda a: a.view(6), [r(2, 3)]),
    "reshape_transposed": (lambda a: a.t().reshape(6), [r(2, 3)]),
    "flatten": (lambda a: a.flatten(1), [r(2, 3, 2)]),
    "transpose": (lambda a: a.transpose(0, -1), [r(2, 3, 4)]),
    "permute": (lambda a: a.permute(2, 0, 1), [r(2, 3, 4)]),
    "t": (lambda a: a.t(), [r(2, 3)]),
    "T": (lambda a: a.T, [r(2, 3)]),
    "mT": (lambda a: a.mT, [r(2, 3, 4)]),
    "squeeze": (lambda a: a.squeeze(), [r(2, 1, 3, 1)]),
    "squeeze_dim": (lambda a: a.squeeze(1), [r(2, 1, 3)]),
    "unsqueeze": (lambda a: a.unsqueeze(-1), [r(2, 3)]),
    "expand": (lambda a: a.expand(2, -1, 3), [r(4, 1)]),
    "sum_to_size": (lambda a: a.sum_to_size(1, 3), [r(2, 3)]),
    "cat": (lambda a, b: minigrad.cat([a, b, a], 1), [r(2, 3), r(2, 1)]),
    "stack": (lambda a, b: minigrad.stack([a, b], -1), [r(2, 3), r(2, 3)]),
    "clone": (lambda a: a.clone(), [r(2, 3)]),
    # indexing
    "index_int": (lambda a: a[1], [r(3, 2)]),
    "index_slice": (lambda a: a[1:, ::2], [r(3, 4)]),
    "index_none_ellipsis": (lambda a: a[None, ..., 0], [r(3, 2)]),
    "index_list_repeated": (lambda a: a[[0, 0, 2, 0]], [r(3, 2)]),
    "index_tensor_2d": (lambda a: a[minigrad.tensor([[1, 1], [0, 2]])], [r(3, 2)]),
    "index_two_lists": (lambda a: a[[0, 2, 2], [1, 1, 0]], [r(3, 2)]),
    "index_mask": (lambda a: a[minigrad.tensor([[True, False], [False, True], [True, True]])], [r(3, 2)]),
    "index_mixed": (lambda a: a[0, :, [1, 1]], [r(2, 3, 4)]),
    "select": (lambda a: a.select(1, -1), [r(3, 2)]),
    "setitem": (lambda a, b: _setitem(a, b, (slice(None), 1)), [r(3, 2), r(3)]),
    "setitem_advanced": (lambda a, b: _setitem(a, b, [0, 2]), [r(3, 2), r(2)]),
    "setitem_repeated_slice": (lambda a, b: _setitem(a, b, (0, slice(None))), [r(3, 2), r()]),
    # chains that mix many of the above
    "chain": (lambda a, b: ((a @ b).tanh() * a.sum(1, keepdim=True)).log_softmax(1).exp().sum(0),
              [r(2, 3), r(3, 4)]),
}


def _setitem(a, b, key):
    out = a * 1.0
    out[key] = b * 2.0
    return out * out


@pytest.mark.parametrize("name", sorted(CASES))
def test_first_derivative(name):
    fn, arrays = CASES[name]
    check_first(fn, arrays)


@pytest.mark.parametrize("name", sorted(CASES))
def test_second_derivative(name):
    fn, arrays = CASES[name]
    check_second(fn, arrays)


@pytest.mark.parametrize("name", ["mul", "div", "pow_tensor", "matmul_2d_3d", "softmax", "var", "index_mixed"])
def test_library_gradcheck_agrees(name):
    # minigrad.autograd.gradcheck/gradgradcheck must accept what the hand-written check above accepts
    fn, arrays = CASES[name]
    inputs = tuple(minigrad.tensor(a, dtype=minigrad.float64, requires_grad=True) for a in arrays)
    assert minigrad.autograd.gradcheck(fn, inputs)
    assert minigrad.autograd.gradgradcheck(fn, inputs)


def test_the_check_catches_a_wrong_gradient():
    class WrongExp(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a.detach().exp()

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return grad * a.exp() * 1.01

    with pytest.raises(AssertionError):
        check_first(WrongExp.apply, [r(3)])


def test_the_check_catches_a_backward_that_cannot_be_differentiated():
    class DetachedExp(minigrad.autograd.Function):
        """right first derivative, but computed outside the graph: its own derivative is lost"""

        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a.detach().exp()

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return grad * a.detach().exp()

    check_first(DetachedExp.apply, [r(3)])
    with pytest.raises(AssertionError):
        check_second(DetachedExp.apply, [r(3)])
