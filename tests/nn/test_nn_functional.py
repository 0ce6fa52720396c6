"""minigrad.nn.functional against torch.nn.functional: values, input gradients, warnings, errors."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
torch.set_num_threads(1)  # tiny tensors: extra threads only add wake-up latency

import torch.nn.functional as tF  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import minigrad  # noqa: E402
import minigrad.nn.functional as mF  # noqa: E402
from tests.conftest import normalise  # noqa: E402

ENGINES = ((minigrad, mF), (torch, tF))


def rand(*shape, dtype=np.float32, low=-2.0, high=2.0):
    return np.random.uniform(low, high, shape).astype(dtype)


def run(call, arrays, grad):
    """call(lib, F, *tensors) on both engines; returns [(output, [input grads]), ...] (minigrad first)."""
    results = []
    upstream = None
    for lib, F in ENGINES:
        tensors = [lib.tensor(a, requires_grad=i in grad) for i, a in enumerate(arrays)]
        out = call(lib, F, *tensors)
        if upstream is None:
            upstream = np.random.uniform(0.5, 1.5, tuple(out.shape)).astype(out.detach().numpy().dtype)
        if grad:
            out.backward(lib.tensor(upstream))
        results.append((out, [tensors[i].grad for i in grad]))
    return results


def check(call, *arrays, grad=(0,), rtol=1e-5, atol=1e-6):
    """Same value, dtype, shape, flags and input gradients on minigrad and torch."""
    (m_out, m_grads), (t_out, t_grads) = run(call, arrays, grad)
    assert normalise(t_out.dtype) == normalise(m_out.dtype)
    assert tuple(m_out.shape) == tuple(t_out.shape)
    assert m_out.requires_grad == t_out.requires_grad
    assert (m_out.grad_fn is None) == (t_out.grad_fn is None)
    np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy(), rtol=rtol, atol=atol)
    for m_g, t_g in zip(m_grads, t_grads):
        assert (m_g is None) == (t_g is None)
        if t_g is not None:
            assert normalise(t_g.dtype) == normalise(m_g.dtype)
            np.testing.assert_allclose(m_g.numpy(), t_g.numpy(), rtol=rtol, atol=atol)
    return m_out


def same_error(call, *arrays):
    """call raises the same exception class on both engines; minigrad's text starts with torch's."""
    errors = []
    for lib, F in ENGINES:
        tensors = [lib.tensor(a) for a in arrays]
        with pytest.raises(Exception) as info:
            call(lib, F, *tensors)
        errors.append(info.value)
    m_err, t_err = errors
    assert type(m_err) is type(t_err), (m_err, t_err)
    t_text, m_text = normalise(t_err.args[0]), str(m_err.args[0])
    assert m_text.startswith(t_text), (m_text, t_text)
    assert len(m_text) > len(t_text) + 10, "minigrad adds a sentence that teaches"


def same_warnings(call, *arrays):
    caught = []
    for lib, F in ENGINES:
        tensors = [lib.tensor(a) for a in arrays]
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            call(lib, F, *tensors)
        caught.append([(w.category, normalise(w.message)) for w in record])
    assert caught[0] == caught[1] and caught[0]


# ----------------------------------------------------------------------------- activations

@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
def test_activations(name, shape):
    x = rand(*shape)
    if shape:
        x.flat[0] = 0.0  # relu's kink: both engines give slope 0 there
    check(lambda lib, F, t: getattr(F, name)(t), x)


def test_relu_inplace_on_a_nonleaf():
    def call(lib, F, t):
        h = t * 1
        F.relu(h, inplace=True)
        return h
    check(call, rand(3, 4))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape,dim", [((5,), 0), ((3, 4), 1), ((3, 4), 0), ((2, 3, 4), -1), ((2, 3, 4), 1)])
def test_softmax_family(fn, shape, dim, dtype):
    check(lambda lib, F, t: getattr(F, fn)(t, dim), rand(*shape, dtype=dtype) * 5)


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_dtype_argument(fn):
    check(lambda lib, F, t: getattr(F, fn)(t, 1, dtype=lib.float64), rand(3, 4))


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 4)])
def test_softmax_without_dim_warns_and_guesses_like_torch(fn, shape):
    x = rand(*shape)
    same_warnings(lambda lib, F, t: getattr(F, fn)(t), x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda lib, F, t: getattr(F, fn)(t), x)


def test_softmax_is_stable_for_large_inputs():
    x = np.array([[1000.0, 0.0, -1000.0], [88.0, 89.0, 90.0]], dtype=np.float32)
    check(lambda lib, F, t: F.log_softmax(t, 1), x)
    check(lambda lib, F, t: F.softmax(t, 1), x)


# ----------------------------------------------------------------------------- linear

@pytest.mark.parametrize("x_shape", [(3,), (5, 3), (2, 5, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear(x_shape, bias):
    arrays = [rand(*x_shape), rand(4, 3)] + ([rand(4)] if bias else [])
    grad = (0, 1, 2) if bias else (0, 1)
    check(lambda lib, F, *ts: F.linear(*ts), *arrays, grad=grad)


def test_linear_shape_mismatch_error():
    same_error(lambda lib, F, x, w: F.linear(x, w), rand(3, 2), rand(4, 3))


# ----------------------------------------------------------------------------- regression losses

REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("shape", [(), (6,), (3, 4)])
def test_regression_losses(fn, shape):
    for reduction in REDUCTIONS:
        check(lambda lib, F, x, y: getattr(F, fn)(x, y, reduction=reduction), rand(*shape), rand(*shape),
              grad=(0, 1))


@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("shapes", [((3, 1), (3,)), ((), (4,)), ((2, 3), (3,))])
def test_regression_losses_broadcast_with_torchs_warning(fn, shapes):
    arrays = rand(*shapes[0]), rand(*shapes[1])
    same_warnings(lambda lib, F, x, y: getattr(F, fn)(x, y), *arrays)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for reduction in REDUCTIONS:
            check(lambda lib, F, x, y: getattr(F, fn)(x, y, reduction=reduction), *arrays, grad=(0, 1))


def test_mse_loss_target_without_grad_and_mixed_dtypes():
    check(lambda lib, F, x, y: F.mse_loss(x, y), rand(5), rand(5), grad=(0,))
    check(lambda lib, F, x, y: F.mse_loss(x, y), rand(5), rand(5, dtype=np.float64), grad=(0, 1))


def test_mse_loss_weight():
    for reduction in REDUCTIONS:
        check(lambda lib, F, x, y, w: F.mse_loss(x, y, reduction=reduction, weight=w),
              rand(3, 4), rand(3, 4), rand(3, 4, low=0.1, high=1.0), grad=(0, 1, 2))


def test_mse_loss_legacy_flags():
    def call(lib, F, x, y):
        return F.mse_loss(x, y, size_average=False)
    same_warnings(call, rand(3), rand(3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(call, rand(3), rand(3))


def test_regression_loss_errors():
    same_error(lambda lib, F, x, y: F.mse_loss(x, y, reduction="average"), rand(3), rand(3))
    same_error(lambda lib, F, x, y: F.l1_loss(x, y, reduction="bad"), rand(3), rand(3))
    same_error(lambda lib, F, x, y: F.mse_loss(x, y), np.array([1, 2]), np.array([1, 2]))
    same_error(lambda lib, F, x, y, w: F.mse_loss(x, y, weight=w), rand(3), rand(3), rand(2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(lambda lib, F, x, y: F.mse_loss(x, y), rand(3, 2), rand(4))


# ----------------------------------------------------------------------------- cross entropy / nll

def targets(shape, n_classes, ignore=None):
    t = np.random.randint(0, n_classes, shape).astype(np.int64)
    if ignore is not None and t.size > 1:
        t.flat[1] = ignore
    return t


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("ignore", [None, -100, 2])
@pytest.mark.parametrize("shape", [(6, 5), (3, 5, 4), (2, 5, 3, 2)])
def test_cross_entropy_class_indices(shape, ignore, smoothing, weighted):
    n_classes = shape[1]
    t = targets((shape[0],) + shape[2:], n_classes, ignore)
    arrays = [rand(*shape) * 3, t] + ([rand(n_classes, low=0.2, high=2.0)] if weighted else [])
    kwargs = dict(label_smoothing=smoothing)
    if ignore is not None:
        kwargs["ignore_index"] = ignore
    for reduction in REDUCTIONS:
        check(lambda lib, F, x, t, w=None: F.cross_entropy(x, t, weight=w, reduction=reduction, **kwargs), *arrays)


@pytest.mark.parametrize("target_shape", [(), (1,)])
def test_cross_entropy_single_sample(target_shape):
    for reduction in REDUCTIONS:
        t = np.full(target_shape, 3, dtype=np.int64)
        grad = () if target_shape else (0,)  # torch's backward rejects a (C,) input with a (1,) target
        check(lambda lib, F, x, t: F.cross_entropy(x, t, reduction=reduction), rand(5), t, grad=grad)
        if not target_shape:  # torch cannot smooth a (C,) input with a (1,) target
            check(lambda lib, F, x, t: F.cross_entropy(x, t, reduction=reduction, label_smoothing=0.2), rand(5), t)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_float64_and_extreme_logits(dtype):
    x = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0], [-50.0, 50.0, 0.0]], dtype=dtype)
    check(lambda lib, F, x, t: F.cross_entropy(x, t), x, np.array([0, 2, 0]))


def test_cross_entropy_accepts_uint8_class_indices():
    t = np.array([0, 3, 1, 1, 2], dtype=np.uint8)
    check(lambda lib, F, x, t: F.cross_entropy(x, t), rand(5, 4), t)
    check(lambda lib, F, x, t: F.cross_entropy(x, t, label_smoothing=0.1), rand(5, 4), t)


def test_cross_entropy_all_targets_ignored_is_nan_like_torch():
    t = np.full(3, -100, dtype=np.int64)
    for reduction in REDUCTIONS:
        check(lambda lib, F, x, t: F.cross_entropy(x, t, reduction=reduction), rand(3, 4), t, grad=())


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("shape", [(4, 5), (5,), (2, 5, 3)])
def test_cross_entropy_probability_targets(shape, smoothing, weighted):
    class_dim = 0 if len(shape) == 1 else 1
    p = rand(*shape, low=0.0, high=1.0)
    p = p / p.sum(axis=class_dim, keepdims=True)
    arrays = [rand(*shape), p] + ([rand(shape[class_dim], low=0.2, high=2.0)] if weighted else [])
    for reduction in REDUCTIONS:
        check(lambda lib, F, x, p, w=None: F.cross_entropy(x, p, weight=w, reduction=reduction,
                                                           label_smoothing=smoothing), *arrays, grad=(0, 1))


@pytest.mark.parametrize("shape", [(6, 4), (4,), (2, 4, 3)])
def test_nll_loss(shape):
    for reduction in REDUCTIONS:
        t = targets((shape[0],) + shape[2:] if len(shape) > 1 else (), shape[1] if len(shape) > 1 else shape[0])
        check(lambda lib, F, x, t: F.nll_loss(x, t, reduction=reduction), rand(*shape), t)
        n = shape[1] if len(shape) > 1 else shape[0]
        check(lambda lib, F, x, t, w: F.nll_loss(x, t, w, reduction=reduction), rand(*shape), t, rand(n, low=0.1))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 6), c=st.integers(1, 6), seed=st.integers(0, 2**16),
       reduction=st.sampled_from(REDUCTIONS), smoothing=st.sampled_from([0.0, 0.1, 1.0]))
def test_cross_entropy_random_batches(n, c, seed, reduction, smoothing):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 3, (n, c)).astype(np.float32)
    t = rng.integers(0, c, n)
    check(lambda lib, F, x, t: F.cross_entropy(x, t, reduction=reduction, label_smoothing=smoothing), x, t)


X34 = rand(3, 4)


@pytest.mark.parametrize("case", [
    "target_out_of_range", "negative_target", "float_target", "int32_target", "bool_target",
    "batch_mismatch", "scalar_target_for_batch", "multi_target", "weight_size", "weight_2d",
    "weight_size_probabilities", "smoothing_too_big", "smoothing_2", "ignore_index_probabilities",
    "long_probabilities", "one_d_input_two_targets", "target_out_of_range_1d", "kd_target_shape",
    "4d_target_shape", "weight_dtype", "bad_reduction", "scalar_input_for_nll",
])
def test_cross_entropy_errors(case):
    calls = {
        "target_out_of_range": (lambda lib, F, x, t: F.cross_entropy(x, t), X34, np.array([0, 1, 4])),
        "negative_target": (lambda lib, F, x, t: F.cross_entropy(x, t), X34, np.array([0, -1, 2])),
        "float_target": (lambda lib, F, x, t: F.cross_entropy(x, t), X34, np.array([0.0, 1.0, 2.0], np.float32)),
        "int32_target": (lambda lib, F, x, t: F.cross_entropy(x, t), X34, np.array([0, 1, 2], np.int32)),
        "bool_target": (lambda lib, F, x, t: F.cross_entropy(x, t), X34, np.array([True, False, True])),
        "batch_mismatch": (lambda lib, F, x, t: F.cross_entropy(x, t), X34, np.array([0, 1])),
        "scalar_target_for_batch": (lambda lib, F, x, t: F.cross_entropy(x, t), X34, np.array(1)),
        "multi_target": (lambda lib, F, x, t: F.cross_entropy(x, t), X34, np.zeros((3, 2), np.int64)),
        "weight_size": (lambda lib, F, x, t, w: F.cross_entropy(x, t, weight=w), X34, np.array([0, 1, 2]),
                        rand(3)),
        "weight_2d": (lambda lib, F, x, t, w: F.cross_entropy(x, t, weight=w), X34, np.array([0, 1, 2]),
                      rand(4, 1)),
        "weight_size_probabilities": (lambda lib, F, x, t, w: F.cross_entropy(x, t, weight=w), X34,
                                      rand(3, 4), rand(3)),
        "smoothing_too_big": (lambda lib, F, x, t: F.cross_entropy(x, t, label_smoothing=1.5), X34,
                              np.array([0, 1, 2])),
        "smoothing_2": (lambda lib, F, x, t: F.cross_entropy(x, t, label_smoothing=2.0), X34, rand(3, 4)),
        "ignore_index_probabilities": (lambda lib, F, x, t: F.cross_entropy(x, t, ignore_index=1), X34,
                                       rand(3, 4)),
        "long_probabilities": (lambda lib, F, x, t: F.cross_entropy(x, t), X34, np.zeros((3, 4), np.int64)),
        "one_d_input_two_targets": (lambda lib, F, x, t: F.cross_entropy(x, t), rand(4), np.array([1, 2])),
        "target_out_of_range_1d": (lambda lib, F, x, t: F.cross_entropy(x, t), rand(4), np.array(5)),
        "kd_target_shape": (lambda lib, F, x, t: F.cross_entropy(x, t), rand(3, 4, 5), np.zeros((3, 4), np.int64)),
        "4d_target_shape": (lambda lib, F, x, t: F.cross_entropy(x, t), rand(2, 3, 4, 5),
                            np.zeros((2, 4, 6), np.int64)),
        "weight_dtype": (lambda lib, F, x, t, w: F.cross_entropy(x, t, weight=w), X34, np.array([0, 1, 2]),
                         rand(4, dtype=np.float64)),
        "bad_reduction": (lambda lib, F, x, t: F.cross_entropy(x, t, reduction="avg"), X34, np.array([0, 1, 2])),
        "scalar_input_for_nll": (lambda lib, F, x, t: F.nll_loss(x, t), np.array(1.0, np.float32), np.array(1)),
    }
    call, *arrays = calls[case]
    same_error(call, *arrays)


# ----------------------------------------------------------------------------- binary cross entropy

@pytest.mark.parametrize("shape", [(), (7,), (3, 4)])
def test_binary_cross_entropy(shape):
    for reduction in REDUCTIONS:
        p = rand(*shape, low=0.02, high=0.98)
        t = rand(*shape, low=0.0, high=1.0)
        check(lambda lib, F, p, t: F.binary_cross_entropy(p, t, reduction=reduction), p, t, grad=(0, 1))


@pytest.mark.parametrize("w_shape", [(3, 4), (4,), (3, 1)])
def test_binary_cross_entropy_weight_broadcasts(w_shape):
    for reduction in REDUCTIONS:
        p = rand(3, 4, low=0.02, high=0.98)
        t = (rand(3, 4, low=0, high=1) > 0.5).astype(np.float32)
        check(lambda lib, F, p, t, w: F.binary_cross_entropy(p, t, w, reduction=reduction),
              p, t, rand(*w_shape, low=0.1, high=2))


def test_binary_cross_entropy_at_zero_and_one_clamps_the_log_and_keeps_the_slope_finite():
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-30, 1 - 2**-24], dtype=np.float32)
    t = np.array([0.5, 0.5, 1.0, 0.0, 1.0, 1.0], dtype=np.float32)
    for reduction in REDUCTIONS:
        check(lambda lib, F, p, t: F.binary_cross_entropy(p, t, reduction=reduction), p, t)
    t = np.array([0.5, 0.5, 1.0, 0.0, 0.3, 0.2], dtype=np.float32)
    p = np.array([0.0, 1.0, 0.5, 0.25, 1e-30, 0.9], dtype=np.float32)
    check(lambda lib, F, p, t: F.binary_cross_entropy(p, t, reduction="sum"), p, t, grad=(0, 1))


@pytest.mark.parametrize("shape", [(), (7,), (3, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_cross_entropy_with_logits(shape, dtype):
    for reduction in REDUCTIONS:
        x = rand(*shape, dtype=dtype) * 4
        t = rand(*shape, dtype=dtype, low=0.0, high=1.0)
        check(lambda lib, F, x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction), x, t,
              grad=(0, 1))


def test_binary_cross_entropy_with_logits_is_stable_and_exact_at_zero():
    x = np.array([0.0, 0.0, 0.0, 100.0, -100.0, 1e4, -1e4, 30.0], dtype=np.float32)
    t = np.array([0.0, 1.0, 0.5, 0.0, 1.0, 1.0, 0.0, 0.3], dtype=np.float32)
    for reduction in REDUCTIONS:
        check(lambda lib, F, x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction), x, t,
              grad=(0, 1))


@pytest.mark.parametrize("pos_shape", [(4,), (), (3, 4)])
def test_binary_cross_entropy_with_logits_weights(pos_shape):
    for reduction in REDUCTIONS:
        x = rand(3, 4) * 3
        t = (rand(3, 4, low=0, high=1) > 0.5).astype(np.float32)
        check(lambda lib, F, x, t, w, pw: F.binary_cross_entropy_with_logits(x, t, w, reduction=reduction,
                                                                              pos_weight=pw),
              x, t, rand(4, low=0.1, high=2), rand(*pos_shape, low=0.5, high=3), grad=(0, 1))


@pytest.mark.parametrize("case", ["input_range", "target_range", "target_dtype", "size", "size_broadcastable",
                                  "logits_size", "logits_reduction", "bce_reduction", "nan_input"])
def test_binary_cross_entropy_errors(case):
    calls = {
        "input_range": (lambda lib, F, p, t: F.binary_cross_entropy(p, t), np.array([2.0], np.float32),
                        np.array([1.0], np.float32)),
        "nan_input": (lambda lib, F, p, t: F.binary_cross_entropy(p, t), np.array([np.nan], np.float32),
                      np.array([1.0], np.float32)),
        "target_range": (lambda lib, F, p, t: F.binary_cross_entropy(p, t), np.array([0.5], np.float32),
                         np.array([2.0], np.float32)),
        "target_dtype": (lambda lib, F, p, t: F.binary_cross_entropy(p, t), np.array([0.5], np.float32),
                         np.array([1.0])),
        "size": (lambda lib, F, p, t: F.binary_cross_entropy(p, t), rand(3, low=0, high=1), rand(4, low=0, high=1)),
        "size_broadcastable": (lambda lib, F, p, t: F.binary_cross_entropy(p, t), rand(3, 1, low=0, high=1),
                               rand(3, low=0, high=1)),
        "logits_size": (lambda lib, F, x, t: F.binary_cross_entropy_with_logits(x, t), rand(3, 1), rand(3)),
        "logits_reduction": (lambda lib, F, x, t: F.binary_cross_entropy_with_logits(x, t, reduction="x"),
                             rand(3), rand(3)),
        "bce_reduction": (lambda lib, F, x, t: F.binary_cross_entropy(x, t, reduction=None),
                          rand(3, low=0, high=1), rand(3, low=0, high=1)),
    }
    call, *arrays = calls[case]
    same_error(call, *arrays)


@pytest.mark.parametrize("case", ["bce", "bce_logits_weight", "bce_logits_pos_weight", "cross_entropy",
                                  "cross_entropy_smoothing", "nll"])
def test_weights_that_require_grad_are_rejected_like_torch(case):
    calls = {
        "bce": lambda lib, F, w: F.binary_cross_entropy(lib.full((3,), 0.5), lib.ones(3), w),
        "bce_logits_weight": lambda lib, F, w: F.binary_cross_entropy_with_logits(lib.zeros(3), lib.ones(3), w),
        "bce_logits_pos_weight": lambda lib, F, w: F.binary_cross_entropy_with_logits(lib.zeros(3), lib.ones(3),
                                                                                      pos_weight=w),
        "cross_entropy": lambda lib, F, w: F.cross_entropy(lib.zeros(2, 3), lib.tensor([0, 1]), w),
        "cross_entropy_smoothing": lambda lib, F, w: F.cross_entropy(lib.zeros(2, 3), lib.tensor([0, 1]), w,
                                                                     label_smoothing=0.1),
        "nll": lambda lib, F, w: F.nll_loss(lib.zeros(2, 3), lib.tensor([0, 1]), w),
    }
    errors = []
    for lib, F in ENGINES:
        with pytest.raises(RuntimeError) as info:
            calls[case](lib, F, lib.ones(3, requires_grad=True))
        errors.append(str(info.value))
    assert errors[0].startswith(errors[1])
    for lib, F in ENGINES:  # a weight without grad, or grad mode off, is fine
        with lib.no_grad():
            calls[case](lib, F, lib.ones(3, requires_grad=True))


def test_probability_target_weight_gets_a_gradient_like_torch():
    p = rand(2, 3, low=0, high=1)
    check(lambda lib, F, x, p, w: F.cross_entropy(x, p, w), rand(2, 3), p, rand(3, low=0.5), grad=(0, 1, 2))


# ----------------------------------------------------------------------------- grad mode

def test_losses_under_no_grad_have_no_grad_fn():
    for lib, F in ENGINES:
        x = lib.tensor(rand(3, 4), requires_grad=True)
        with lib.no_grad():
            out = F.cross_entropy(x, lib.tensor([0, 1, 2]))
            assert out.grad_fn is None and not out.requires_grad
            out = F.mse_loss(x, lib.zeros(3, 4))
            assert out.grad_fn is None and not out.requires_grad
