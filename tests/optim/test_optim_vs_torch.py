"""minigrad.optim against torch.optim: same start, same loss, same trajectory; state, groups, errors."""
import copy
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
torch.set_num_threads(1)  # tiny tensors: extra threads only add wake-up latency

import minigrad  # noqa: E402
from tests.conftest import normalise  # noqa: E402

LIBS = (minigrad, torch)
STEPS = 50


def problem(lib, dtype, seed=0):
    """Parameters and a non-quadratic loss (tanh regression plus an L2 term), identical on both engines."""
    rng = np.random.default_rng(seed)
    x = lib.tensor(rng.normal(size=(8, 3)), dtype=dtype)
    y = lib.tensor(rng.normal(size=(8, 4)), dtype=dtype)
    w = lib.tensor(rng.normal(size=(3, 4)), dtype=dtype, requires_grad=True)
    b = lib.tensor(rng.normal(size=(4,)), dtype=dtype, requires_grad=True)

    def loss_fn():
        return ((x.matmul(w) + b).tanh() - y).pow(2).mean() + 0.1 * (w * w).sum()
    return [w, b], loss_fn


def trajectory(lib, make_optimizer, dtype_name, steps=STEPS, groups=None):
    dtype = getattr(lib, dtype_name)
    params, loss_fn = problem(lib, dtype)
    opt = make_optimizer(lib.optim, groups(params) if groups else params)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        history.append((loss.item(), [p.detach().numpy().copy() for p in params]))
    return history, opt, params


def compare(make_optimizer, dtype_name, groups=None):
    mine, m_opt, m_params = trajectory(minigrad, make_optimizer, dtype_name, groups=groups)
    theirs, t_opt, t_params = trajectory(torch, make_optimizer, dtype_name, groups=groups)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype_name == "float32" else dict(rtol=1e-10, atol=1e-12)
    for step, ((m_loss, m_values), (t_loss, t_values)) in enumerate(zip(mine, theirs)):
        np.testing.assert_allclose(m_loss, t_loss, err_msg=f"loss at step {step}", **tol)
        for m_v, t_v in zip(m_values, t_values):
            np.testing.assert_allclose(m_v, t_v, err_msg=f"parameter at step {step}", **tol)
    compare_state(m_opt, t_opt, m_params, t_params, tol)
    return m_opt, t_opt


def compare_state(m_opt, t_opt, m_params, t_params, tol):
    assert len(m_opt.state) == len(t_opt.state)
    for m_p, t_p in zip(m_params, t_params):
        m_state, t_state = m_opt.state.get(m_p, {}), t_opt.state.get(t_p, {})
        assert sorted(m_state) == sorted(t_state)
        for key, t_value in t_state.items():
            m_value = m_state[key]
            assert isinstance(m_value, minigrad.Tensor)
            assert normalise(m_value.dtype) == normalise(t_value.dtype) and m_value.shape == t_value.shape
            assert not m_value.requires_grad
            np.testing.assert_allclose(m_value.numpy(), t_value.numpy(), err_msg=key, **tol)


SGD_CONFIGS = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.5),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.05, momentum=0.8, weight_decay=0.01, nesterov=True),
    dict(lr=0.01, momentum=0.5, maximize=True),
    dict(lr=0.02, momentum=0.5, dampening=0.1, weight_decay=0.05, maximize=True),
]

ADAM_CONFIGS = [
    ("Adam", dict()),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, amsgrad=True, betas=(0.8, 0.99), eps=1e-6)),
    ("Adam", dict(lr=0.01, maximize=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.5, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True, betas=(0.5, 0.9))),
]


def config_id(config):
    return config if isinstance(config, str) else ",".join(f"{k}={v}" for k, v in config.items())


# float64 with a tight tolerance pins the update rule down; float32 checks the usual precision.
@pytest.mark.parametrize("config", SGD_CONFIGS, ids=config_id)
def test_sgd_trajectory_float64(config):
    compare(lambda optim, params: optim.SGD(params, **config), "float64")


@pytest.mark.parametrize("config", SGD_CONFIGS[1::3], ids=config_id)
def test_sgd_trajectory_float32(config):
    compare(lambda optim, params: optim.SGD(params, **config), "float32")


@pytest.mark.parametrize("name,config", ADAM_CONFIGS, ids=config_id)
def test_adam_trajectory_float64(name, config):
    compare(lambda optim, params: getattr(optim, name)(params, **config), "float64")


@pytest.mark.parametrize("name,config", ADAM_CONFIGS[1::3], ids=config_id)
def test_adam_trajectory_float32(name, config):
    compare(lambda optim, params: getattr(optim, name)(params, **config), "float32")


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
def test_param_groups_with_their_own_options(name):
    def groups(params):
        w, b = params
        return [{"params": [w]}, {"params": b, "lr": 0.3, "weight_decay": 0.05}]
    extra = {"momentum": 0.9} if name == "SGD" else {}
    m_opt, t_opt = compare(lambda optim, params: getattr(optim, name)(params, lr=0.02, **extra), "float32",
                           groups=groups)
    assert [sorted(g) for g in m_opt.param_groups] == [sorted(g) for g in t_opt.param_groups]
    assert [g["lr"] for g in m_opt.param_groups] == [0.02, 0.3]


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_add_param_group_midway(name):
    results = []
    for lib in LIBS:
        (w, b), loss_fn = problem(lib, lib.float32)
        opt = getattr(lib.optim, name)([w], lr=0.05)
        for step in range(10):
            if step == 4:
                opt.add_param_group({"params": [b], "lr": 0.1})
            opt.zero_grad()
            loss_fn().backward()
            opt.step()
        results.append([w.detach().numpy().copy(), b.detach().numpy().copy()])
    for m, t in zip(*results):
        np.testing.assert_allclose(m, t, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [lambda o, p: o.SGD(p, lr=0.1, momentum=0.9), lambda o, p: o.Adam(p, lr=0.1)])
def test_parameters_without_grad_are_skipped_and_get_no_state(make):
    for lib in LIBS:
        (w, b), loss_fn = problem(lib, lib.float32)
        unused = lib.ones(2, requires_grad=True)
        opt = make(lib.optim, [w, b, unused])
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
        assert unused.grad is None and unused.tolist() == [1.0, 1.0]
        assert unused not in opt.state and len(opt.state) == 2


def test_plain_sgd_keeps_no_state():
    for lib in LIBS:
        (w, b), loss_fn = problem(lib, lib.float32)
        opt = lib.optim.SGD([w, b], lr=0.1)
        loss_fn().backward()
        opt.step()
        assert len(opt.state) == 0


def test_step_updates_in_place():
    (w, b), loss_fn = problem(minigrad, minigrad.float32)
    opt = minigrad.optim.Adam([w, b], lr=0.1)
    view, before, version = w.data, w.detach().numpy().copy(), w._version
    loss_fn().backward()
    opt.step()
    assert opt.param_groups[0]["params"][0] is w and w.is_leaf and w.requires_grad and w.grad_fn is None
    assert not np.array_equal(before, w.detach().numpy())
    np.testing.assert_array_equal(view.numpy(), w.detach().numpy())  # .data views see the update
    assert w._version > version


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    for lib in LIBS:
        (w, b), loss_fn = problem(lib, lib.float32)
        opt = lib.optim.SGD([w, b], lr=0.1)
        loss_fn().backward()
        grad = w.grad
        opt.zero_grad(set_to_none=set_to_none)
        if set_to_none:
            assert w.grad is None and b.grad is None
        else:
            assert w.grad is grad and not w.grad.any() and not b.grad.any()


def test_closure_is_evaluated_with_grad_enabled():
    losses = []
    for lib in LIBS:
        (w, b), loss_fn = problem(lib, lib.float32)
        opt = lib.optim.SGD([w, b], lr=0.1)

        def closure():
            opt.zero_grad()
            loss = loss_fn()
            loss.backward()
            return loss
        with lib.no_grad():
            loss = opt.step(closure)
        assert loss.requires_grad
        losses.append((loss.item(), w.detach().numpy().copy()))
    np.testing.assert_allclose(losses[0][0], losses[1][0], rtol=1e-6)
    np.testing.assert_allclose(losses[0][1], losses[1][1], rtol=1e-6)


# ----------------------------------------------------------------------------- printing and state_dict

@pytest.mark.parametrize("make", [
    lambda o, p: o.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    lambda o, p: o.Adam(p, lr=0.1, amsgrad=True),
    lambda o, p: o.AdamW(p),
    lambda o, p: o.SGD([{"params": p[:1]}, {"params": p[1:], "lr": 0.5}], lr=0.1),
])
def test_repr_param_groups_and_defaults_match_torch(make):
    m_opt = make(minigrad.optim, problem(minigrad, minigrad.float32)[0])
    t_opt = make(torch.optim, problem(torch, torch.float32)[0])
    assert repr(m_opt) == repr(t_opt)
    assert m_opt.defaults == t_opt.defaults
    assert [{k: v for k, v in g.items() if k != "params"} for g in m_opt.param_groups] == \
        [{k: v for k, v in g.items() if k != "params"} for g in t_opt.param_groups]


def plain(state_dict):
    """An optimizer state_dict with tensors turned into arrays, for comparison across engines."""
    return {
        "state": {i: {k: v.numpy() for k, v in s.items()} for i, s in state_dict["state"].items()},
        "param_groups": state_dict["param_groups"],
    }


@pytest.mark.parametrize("name,config", [("SGD", dict(lr=0.05, momentum=0.9)), ("Adam", dict(lr=0.05, amsgrad=True)),
                                         ("AdamW", dict(lr=0.05))])
def test_state_dict_matches_torch_and_resumes_training(name, config):
    dicts, finals = [], []
    for lib in LIBS:
        params, loss_fn = problem(lib, lib.float32)
        opt = getattr(lib.optim, name)([{"params": params[:1]}, {"params": params[1:], "lr": 0.01}], **config)
        for _ in range(5):
            opt.zero_grad()
            loss_fn().backward()
            opt.step()
        saved = opt.state_dict()
        dicts.append(plain(saved))
        # a fresh optimizer on a copy of the parameters continues exactly where this one is
        copies = [p.detach().clone().requires_grad_() for p in params]
        resumed = getattr(lib.optim, name)([{"params": copies[:1]}, {"params": copies[1:]}], **config)
        resumed.load_state_dict(copy.deepcopy(saved))
        for _ in range(5):
            for ps, o in ((params, opt), (copies, resumed)):
                o.zero_grad()
                loss = ((ps[0].sum() - 1) ** 2 + (ps[1] ** 2).sum())
                loss.backward()
                o.step()
        for p, c in zip(params, copies):
            np.testing.assert_array_equal(p.detach().numpy(), c.detach().numpy())
        assert resumed.param_groups[1]["lr"] == 0.01
        finals.append([p.detach().numpy() for p in params])
    m_sd, t_sd = dicts
    assert m_sd["param_groups"] == t_sd["param_groups"]
    assert m_sd["state"].keys() == t_sd["state"].keys()
    for i in t_sd["state"]:
        assert m_sd["state"][i].keys() == t_sd["state"][i].keys()
        for key in t_sd["state"][i]:
            np.testing.assert_allclose(m_sd["state"][i][key], t_sd["state"][i][key], rtol=1e-5, atol=1e-6)
    for m, t in zip(*finals):
        np.testing.assert_allclose(m, t, rtol=1e-4, atol=1e-5)


def test_loaded_state_shares_tensors_like_torch():
    shared = []
    for lib in LIBS:
        w = lib.ones(2, requires_grad=True)
        opt = lib.optim.Adam([w], lr=0.1)
        (w * w).sum().backward()
        opt.step()
        other = lib.optim.Adam([w], lr=0.1)
        other.load_state_dict(opt.state_dict())
        shared.append({key: other.state[w][key] is opt.state[w][key] for key in opt.state[w]})
        other = lib.optim.Adam([w], lr=0.1)
        other.load_state_dict(copy.deepcopy(opt.state_dict()))
        shared.append({key: other.state[w][key] is opt.state[w][key] for key in opt.state[w]})
    assert shared[:2] == shared[2:]


# ----------------------------------------------------------------------------- errors

def same_error(call):
    errors = []
    for lib in LIBS:
        with pytest.raises(Exception) as info:
            call(lib)
        errors.append(info.value)
    m_err, t_err = errors
    assert type(m_err) is type(t_err), (m_err, t_err)
    t_text, m_text = normalise(str(t_err)), str(m_err)
    assert m_text.startswith(t_text), (m_text, t_text)
    assert len(m_text) > len(t_text) + 10, "minigrad adds a sentence that teaches"


def leaf(lib):
    return lib.ones(2, requires_grad=True)


@pytest.mark.parametrize("call", [
    lambda lib: lib.optim.SGD([], lr=0.1),
    lambda lib: lib.optim.SGD(iter([]), lr=0.1),
    lambda lib: lib.optim.SGD([leaf(lib)], lr=-0.1),
    lambda lib: lib.optim.SGD([leaf(lib)], lr=0.1, momentum=-1),
    lambda lib: lib.optim.SGD([leaf(lib)], lr=0.1, weight_decay=-1),
    lambda lib: lib.optim.SGD([leaf(lib)], lr=0.1, nesterov=True),
    lambda lib: lib.optim.SGD([leaf(lib)], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
    lambda lib: lib.optim.SGD([leaf(lib) * 2], lr=0.1),
    lambda lib: lib.optim.SGD(leaf(lib), lr=0.1),
    lambda lib: lib.optim.SGD([leaf(lib), 3], lr=0.1),
    lambda lib: lib.optim.SGD([{"params": {leaf(lib)}}], lr=0.1),
    lambda lib: lib.optim.Adam([leaf(lib)], lr=-1e-3),
    lambda lib: lib.optim.Adam([leaf(lib)], eps=-1.0),
    lambda lib: lib.optim.Adam([leaf(lib)], betas=(1.0, 0.999)),
    lambda lib: lib.optim.Adam([leaf(lib)], betas=(0.9, -0.1)),
    lambda lib: lib.optim.Adam([leaf(lib)], betas=(0, 0.999)),
    lambda lib: lib.optim.AdamW([leaf(lib)], weight_decay=-0.1),
    lambda lib: lib.optim.Optimizer([leaf(lib)], {}).step(),
], ids=lambda c: "")
def test_constructor_errors_match_torch(call):
    same_error(call)


def test_group_errors_match_torch():
    def two_groups(lib):
        p = leaf(lib)
        return lib.optim.SGD([{"params": [p]}, {"params": [p], "lr": 0.2}], lr=0.1)

    def not_a_dict(lib):
        lib.optim.SGD([leaf(lib)], lr=0.1).add_param_group([leaf(lib)])
    same_error(two_groups)
    same_error(not_a_dict)


def test_duplicate_parameters_warn_like_torch():
    caught = []
    for lib in LIBS:
        p = leaf(lib)
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            lib.optim.SGD([p, p], lr=0.1)
        caught.append([str(w.message) for w in record])
    assert caught[0] == caught[1] and len(caught[0]) == 1


@pytest.mark.parametrize("case", ["group_count", "group_sizes"])
def test_load_state_dict_errors_match_torch(case):
    def call(lib):
        a, b, c = leaf(lib), leaf(lib), leaf(lib)
        if case == "group_count":
            source = lib.optim.SGD([a, b, c], lr=0.1)
        else:
            source = lib.optim.SGD([{"params": [a, b]}, {"params": [c]}], lr=0.1)
        target = lib.optim.SGD([{"params": [a]}, {"params": [b, c]}], lr=0.1)
        target.load_state_dict(source.state_dict())
    same_error(call)
