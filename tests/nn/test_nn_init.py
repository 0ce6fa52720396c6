"""nn.init and Linear's initialisation: bounds and distribution (no torch needed)."""
import math
import warnings

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn import init


@pytest.mark.parametrize("fan_in,fan_out", [(1, 1), (3, 2), (400, 300)])
def test_linear_weight_and_bias_lie_within_one_over_sqrt_fan_in(fan_in, fan_out):
    layer = nn.Linear(fan_in, fan_out)
    bound = 1 / math.sqrt(fan_in)
    for p in (layer.weight, layer.bias):
        assert p.dtype == minigrad.float32 and p.requires_grad and p.is_leaf and p.grad_fn is None
        values = p.detach().numpy()
        assert values.min() >= -bound and values.max() <= bound
    assert tuple(layer.weight.shape) == (fan_out, fan_in) and tuple(layer.bias.shape) == (fan_out,)


def test_linear_weight_is_uniform_on_the_whole_interval():
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    u = layer.weight.detach().numpy().ravel() / bound  # should be U(-1, 1): 120,000 samples
    assert abs(u.mean()) < 0.01
    assert abs(u.var() - 1 / 3) < 0.01
    assert u.min() < -0.999 and u.max() > 0.999
    counts, _ = np.histogram(u, bins=10, range=(-1, 1))
    expected = u.size / 10
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 40  # 9 degrees of freedom: 40 is far beyond the 99.99th percentile


def test_linear_init_follows_the_seed_and_differs_between_layers():
    minigrad.manual_seed(3)
    a = nn.Linear(5, 4).weight.detach().numpy().copy()
    b = nn.Linear(5, 4).weight.detach().numpy().copy()
    minigrad.manual_seed(3)
    c = nn.Linear(5, 4).weight.detach().numpy().copy()
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, b)


def test_linear_dtype_argument_and_no_bias():
    layer = nn.Linear(3, 2, bias=False, dtype=minigrad.float64)
    assert layer.weight.dtype == minigrad.float64 and layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    x = minigrad.ones(4, 3, dtype=minigrad.float64)
    np.testing.assert_allclose(layer(x).detach().numpy(), x.numpy() @ layer.weight.detach().numpy().T)


def test_init_runs_under_no_grad_and_keeps_the_leaf():
    w = nn.Parameter(minigrad.empty(3, 4))
    for fill in (lambda t: init.uniform_(t, -2, 2), lambda t: init.normal_(t, 1.0, 0.1), init.zeros_, init.ones_,
                 lambda t: init.constant_(t, 0.5), init.xavier_uniform_, init.xavier_normal_,
                 init.kaiming_uniform_, init.kaiming_normal_, init.eye_):
        assert fill(w) is w
        assert w.is_leaf and w.requires_grad and w.grad_fn is None


def test_simple_fills():
    w = minigrad.empty(2, 3)
    assert init.zeros_(w).tolist() == [[0.0] * 3] * 2
    assert init.ones_(w).tolist() == [[1.0] * 3] * 2
    assert init.constant_(w, 0.25).tolist() == [[0.25] * 3] * 2
    assert init.eye_(w).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    values = init.uniform_(minigrad.empty(1000), 2.0, 3.0).numpy()
    assert values.min() >= 2.0 and values.max() <= 3.0
    values = init.normal_(minigrad.empty(20000), 5.0, 2.0).numpy()
    assert abs(values.mean() - 5.0) < 0.05 and abs(values.std() - 2.0) < 0.05


@pytest.mark.parametrize("shape", [(30, 50), (64, 16, 3, 3)])
def test_xavier_and_kaiming_scales(shape):
    fan_in = shape[1] * int(np.prod(shape[2:]))
    fan_out = shape[0] * int(np.prod(shape[2:]))
    w = minigrad.empty(*shape)
    bound = math.sqrt(6 / (fan_in + fan_out))
    values = init.xavier_uniform_(w, gain=1.0).numpy()
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.95 * bound
    bound = math.sqrt(6 / fan_in)  # relu gain sqrt(2): sqrt(3) * sqrt(2) / sqrt(fan_in)
    values = init.kaiming_uniform_(w, nonlinearity="relu").numpy()
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.95 * bound
    values = init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu").numpy()
    assert abs(values.std() - math.sqrt(2 / fan_out)) < 0.1 * math.sqrt(2 / fan_out)


def test_zero_element_tensor_warns_and_is_left_alone():
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        init.kaiming_uniform_(minigrad.empty(0, 3))
    assert [str(w.message) for w in record] == ["Initializing zero-element tensors is a no-op"]


def test_errors_teach():
    with pytest.raises(ValueError, match="^Fan in and fan out can not be computed for tensor with fewer than 2"):
        init.xavier_uniform_(minigrad.empty(3))
    with pytest.raises(ValueError, match=r"^Mode fan_avg not supported, please use one of \['fan_in', 'fan_out'\]"):
        init.kaiming_uniform_(minigrad.empty(3, 3), mode="fan_avg")
    with pytest.raises(ValueError, match="^Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="^negative_slope True not a valid number"):
        init.calculate_gain("leaky_relu", True)
