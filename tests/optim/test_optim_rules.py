"""The optimizers' update rules against small NumPy reference implementations (no torch needed)."""
import numpy as np
import pytest

import minigrad
from minigrad import optim


def quadratic(seed=0):
    """f(p) = 0.5 * |A p - y|^2 in float64, with its gradient for the NumPy references."""
    rng = np.random.default_rng(seed)
    a, y, p0 = rng.normal(size=(5, 3)), rng.normal(size=5), rng.normal(size=3)

    a_t, y_t = minigrad.tensor(a), minigrad.tensor(y)

    def loss(p):
        r = a_t.matmul(p) - y_t
        return 0.5 * (r * r).sum()

    def grad(p):
        return a.T @ (a @ p - y)
    return p0, loss, grad


def run(optimizer_factory, steps=30):
    p0, loss, _ = quadratic()
    p = minigrad.tensor(p0, requires_grad=True)
    opt = optimizer_factory([p])
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss(p).backward()
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out), opt, p


def sgd_reference(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False, steps=30):
    p, _, grad = quadratic()
    p = p.copy()
    buf, out = None, []
    for _ in range(steps):
        g = grad(p)
        g = -g if maximize else g
        g = g + weight_decay * p
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
        out.append(p)
    return np.array(out)


def adam_reference(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False,
                   decoupled=False, steps=30):
    p, _, grad = quadratic()
    p = p.copy()
    m, v, v_max, out = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p), []
    for t in range(1, steps + 1):
        g = grad(p)
        g = -g if maximize else g
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g * g
        v_max = np.maximum(v_max, v)
        v_hat = (v_max if amsgrad else v) / (1 - betas[1] ** t)
        p = p - lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v_hat) + eps)
        out.append(p)
    return np.array(out)


@pytest.mark.parametrize("config", [
    dict(lr=0.02), dict(lr=0.02, momentum=0.9), dict(lr=0.02, momentum=0.9, dampening=0.3),
    dict(lr=0.02, momentum=0.9, nesterov=True), dict(lr=0.02, weight_decay=0.5),
    dict(lr=0.001, momentum=0.5, maximize=True),
])
def test_sgd_follows_its_rule(config):
    mine, _, _ = run(lambda params: optim.SGD(params, **config))
    np.testing.assert_allclose(mine, sgd_reference(**config), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,config", [
    ("Adam", dict(lr=0.05)), ("Adam", dict(lr=0.05, amsgrad=True, betas=(0.8, 0.9))),
    ("Adam", dict(lr=0.05, weight_decay=0.3)), ("Adam", dict(lr=0.01, maximize=True, eps=1e-3)),
    ("AdamW", dict(lr=0.05)), ("AdamW", dict(lr=0.05, weight_decay=0.3, amsgrad=True)),
])
def test_adam_follows_its_rule(name, config):
    mine, _, _ = run(lambda params: getattr(optim, name)(params, **config))
    decoupled = name == "AdamW"
    if decoupled:
        config = {"weight_decay": 1e-2, **config}
    np.testing.assert_allclose(mine, adam_reference(decoupled=decoupled, **config), rtol=1e-10, atol=1e-12)


def test_adam_state_is_made_of_tensors():
    _, opt, p = run(lambda params: optim.Adam(params, lr=0.05, amsgrad=True), steps=3)
    state = opt.state[p]
    assert sorted(state) == ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]
    assert state["step"].dtype == minigrad.float32 and state["step"].shape == () and state["step"].item() == 3
    assert all(isinstance(v, minigrad.Tensor) and not v.requires_grad for v in state.values())
    assert state["exp_avg"].dtype == p.dtype


def test_sgd_first_momentum_buffer_is_a_copy_of_the_gradient():
    p0, loss, grad = quadratic()
    p = minigrad.tensor(p0, requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    loss(p).backward()
    opt.step()
    buf = opt.state[p]["momentum_buffer"]
    np.testing.assert_allclose(buf.numpy(), grad(p0))
    assert buf is not p.grad
    p.grad.zero_()
    np.testing.assert_allclose(buf.numpy(), grad(p0))


def test_tutorial_minimum_by_gradient_descent():
    # the course's first case study: minimise x^2 + 3x + 1 from x = 2 with lr = 0.1 for 100 steps
    x = minigrad.tensor(2.0, requires_grad=True)
    opt = optim.SGD([x], lr=0.1)
    for _ in range(100):
        opt.zero_grad()
        (x ** 2 + 3 * x + 1).backward()
        opt.step()
    assert abs(x.item() + 1.5) < 1e-6


def test_state_dict_round_trip_resumes_exactly():
    full, _, _ = run(lambda params: optim.Adam(params, lr=0.05), steps=20)
    p0, loss, _ = quadratic()
    p = minigrad.tensor(p0, requires_grad=True)
    opt = optim.Adam([p], lr=0.05)
    for _ in range(10):
        opt.zero_grad()
        loss(p).backward()
        opt.step()
    saved = opt.state_dict()
    assert sorted(saved) == ["param_groups", "state"] and saved["param_groups"][0]["params"] == [0]
    q = minigrad.tensor(p.detach().numpy().copy(), requires_grad=True)
    resumed = optim.Adam([q], lr=0.05)
    resumed.load_state_dict(saved)
    for _ in range(10):
        resumed.zero_grad()
        loss(q).backward()
        resumed.step()
    np.testing.assert_array_equal(q.detach().numpy(), full[-1])


def test_errors_teach():
    p = minigrad.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="^optimizer got an empty parameter list. "):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="^Invalid learning rate: -0.1. "):
        optim.SGD([p], lr=-0.1)
    with pytest.raises(ValueError, match="^can't optimize a non-leaf Tensor. "):
        optim.Adam([p * 2])
    with pytest.raises(ValueError, match="^Nesterov momentum requires a momentum and zero dampening. "):
        optim.SGD([p], lr=0.1, nesterov=True)
