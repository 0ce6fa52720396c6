"""minigrad.nn.Module and the layers against torch.nn: names, order, repr, state_dict, modes, errors."""
import copy
from collections import OrderedDict

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
torch.set_num_threads(1)  # tiny tensors: extra threads only add wake-up latency

import minigrad  # noqa: E402
from minigrad import nn as mnn  # noqa: E402
from tests.conftest import normalise  # noqa: E402

tnn = torch.nn
LIBS = ((minigrad, mnn), (torch, tnn))


def build(nn, lib):
    """One architecture written once, built with either library."""

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(lib.ones(3))
            self.proj = nn.Linear(3, 3)
            self.register_buffer("running", lib.zeros(3))
            self.register_buffer("scratch", lib.zeros(1), persistent=False)
            self.register_parameter("unused", None)

        def forward(self, x):
            return self.proj(x) * self.scale + self.running

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), Block(), nn.ReLU())
            self.head = nn.Linear(3, 2, bias=False)
            self.loss = nn.CrossEntropyLoss(weight=lib.ones(2))

        def forward(self, x):
            return self.head(self.body(x))

    return Net()


def copy_parameters(src, dst):
    """Give a minigrad module the values of a torch module (or the other way round) by name."""
    values = {k: v.detach().numpy().copy() for k, v in src.state_dict().items()}
    lib = minigrad if isinstance(dst, mnn.Module) else torch
    dst.load_state_dict({k: lib.tensor(v) for k, v in values.items()})


def same_error(fn):
    """fn(lib, nn) raises the same class on both; minigrad's message starts with torch's and adds to it."""
    errors = []
    for lib, nn in LIBS:
        with pytest.raises(Exception) as info:
            fn(lib, nn)
        errors.append(info.value)
    m_err, t_err = errors
    assert type(m_err) is type(t_err), (m_err, t_err)
    t_text, m_text = normalise(t_err.args[0]), str(m_err.args[0])
    assert m_text.startswith(t_text), (m_text, t_text)
    assert len(m_text) > len(t_text) + 10, "minigrad adds a sentence that teaches"


# ----------------------------------------------------------------------------- repr

def all_layers(nn, lib):
    class WithExtra(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Linear(2, 2)

        def extra_repr(self):
            return "first line\nsecond line"

    class OneLine(nn.Module):
        def extra_repr(self):
            return "k=3"

    return nn.Sequential(
        nn.Linear(3, 2), nn.Linear(2, 2, bias=False), nn.ReLU(), nn.ReLU(inplace=True), nn.Tanh(),
        nn.Sigmoid(), nn.Softmax(dim=1), nn.Softmax(), nn.LogSoftmax(dim=-1), nn.Identity(54, unused=1),
        nn.Flatten(), nn.Flatten(0, 2),
        nn.Sequential(nn.Sequential(nn.Linear(1, 1)), nn.Sequential()),
        nn.ModuleList([nn.Tanh(), nn.Linear(1, 2)]), nn.ModuleList(),
        nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU(), nn.ReLU(), nn.Sequential(nn.Tanh())]),
        nn.MSELoss(), nn.L1Loss(reduction="sum"), nn.CrossEntropyLoss(weight=lib.ones(2), label_smoothing=0.1),
        nn.NLLLoss(), nn.BCELoss(), nn.BCEWithLogitsLoss(pos_weight=lib.ones(2)),
        WithExtra(), OneLine(), nn.Module(),
    )


def test_repr_of_every_layer_matches_torch():
    assert repr(all_layers(mnn, minigrad)) == repr(all_layers(tnn, torch))
    assert repr(build(mnn, minigrad)) == repr(build(tnn, torch))
    assert repr(mnn.Sequential()) == repr(tnn.Sequential()) == "Sequential()"


def test_parameter_repr_and_flags():
    for requires_grad in (True, False):
        m = mnn.Parameter(minigrad.tensor([1.0, 2.0]), requires_grad=requires_grad)
        t = tnn.Parameter(torch.tensor([1.0, 2.0]), requires_grad=requires_grad)
        assert repr(m) == repr(t)
        assert (m.requires_grad, m.is_leaf, m.grad_fn) == (t.requires_grad, t.is_leaf, t.grad_fn)
    assert repr(mnn.Parameter()) == repr(tnn.Parameter())
    assert isinstance(mnn.Parameter(minigrad.ones(1)), minigrad.Tensor)


def test_parameter_shares_storage_and_cuts_history():
    for lib, nn in LIBS:
        base = lib.zeros(3, requires_grad=True)
        p = nn.Parameter(base * 2)
        assert p.is_leaf and p.grad_fn is None and p.requires_grad
        data = lib.zeros(3)
        p = nn.Parameter(data)
        data.add_(1)
        assert p.tolist() == [1.0, 1.0, 1.0]


def test_parameter_of_integers_cannot_require_grad():
    same_error(lambda lib, nn: nn.Parameter(lib.tensor([1, 2])))


def test_parameter_deepcopy_is_a_new_parameter():
    p = mnn.Parameter(minigrad.ones(2))
    q = copy.deepcopy(p)
    assert type(q) is mnn.Parameter and q is not p and q.requires_grad
    q.data.add_(1)
    assert p.tolist() == [1.0, 1.0]


# ----------------------------------------------------------------------------- traversal and names

def test_named_parameters_buffers_and_modules_match_torch():
    m, t = build(mnn, minigrad), build(tnn, torch)
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [tuple(p.shape) for p in m.parameters()] == [tuple(p.shape) for p in t.parameters()]
    assert [n for n, _ in m.named_parameters(recurse=False)] == [n for n, _ in t.named_parameters(recurse=False)]
    assert [n for n, _ in m.named_parameters(prefix="net")] == [n for n, _ in t.named_parameters(prefix="net")]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in m.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in m.named_children()] == [n for n, _ in t.named_children()]
    assert [type(c).__name__ for c in m.children()] == [type(c).__name__ for c in t.children()]
    assert [type(c).__name__ for c in m.modules()] == [type(c).__name__ for c in t.modules()]
    assert all(isinstance(p, mnn.Parameter) for p in m.parameters())


def test_shared_parameters_and_modules_are_listed_once():
    def shared(nn, lib):
        layer = nn.Linear(2, 2)
        net = nn.Sequential(layer, nn.ReLU(), layer)
        net.tied = layer.weight
        return net

    m, t = shared(mnn, minigrad), shared(tnn, torch)
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()] == ["tied", "0.bias"]
    assert [n for n, _ in m.named_modules()] == [n for n, _ in t.named_modules()]
    assert list(m.state_dict()) == list(t.state_dict())
    assert [n for n, _ in m.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in t.named_parameters(remove_duplicate=False)]


def test_attribute_assignment_replaces_and_deletes_like_torch():
    for lib, nn in LIBS:
        net = nn.Module()
        net.a = nn.Parameter(lib.ones(1))
        net.a = None                      # a parameter slot may hold None
        net.b = nn.Linear(1, 1)
        net.b = None
        net.c = nn.Parameter(lib.ones(2))
        del net.c
        net.d = 5
        assert [n for n, _ in net.named_parameters()] == []
        assert net.a is None and net.b is None and net.d == 5
        assert not hasattr(net, "c")
        assert "a" in dir(net) and "b" in dir(net)
        del net.a
        net.a = nn.Linear(1, 1)           # once deleted, the name can hold a module
        assert [n for n, _ in net.named_parameters()] == ["a.weight", "a.bias"]


def test_apply_visits_children_first():
    seen = {}
    for lib, nn in LIBS:
        order = []
        build(nn, lib).apply(lambda module: order.append(type(module).__name__))
        seen[lib.__name__] = order
    assert seen["minigrad"] == seen["torch"]


def test_get_submodule():
    m, t = build(mnn, minigrad), build(tnn, torch)
    assert type(m.get_submodule("body.2.proj")).__name__ == type(t.get_submodule("body.2.proj")).__name__
    assert m.get_submodule("") is m


# ----------------------------------------------------------------------------- forward

def test_forward_of_the_same_weights_matches_torch():
    m, t = build(mnn, minigrad), build(tnn, torch)
    copy_parameters(t, m)
    x = np.random.randn(5, 4).astype(np.float32)
    m_out, t_out = m(minigrad.tensor(x)), t(torch.tensor(x))
    np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-5, atol=1e-6)
    m_out.sum().backward()
    t_out.sum().backward()
    for (name, mp), (_, tp) in zip(m.named_parameters(), t.named_parameters()):
        np.testing.assert_allclose(mp.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("make", [
    lambda nn, lib: nn.MSELoss(reduction="sum"),
    lambda nn, lib: nn.L1Loss(),
    lambda nn, lib: nn.BCELoss(weight=lib.tensor([0.5, 2.0, 1.0])),
    lambda nn, lib: nn.BCEWithLogitsLoss(pos_weight=lib.tensor([2.0, 1.0, 0.5]), reduction="none"),
])
def test_regression_and_binary_loss_modules(make):
    x = np.random.uniform(0.05, 0.95, (4, 3)).astype(np.float32)
    y = np.random.uniform(0, 1, (4, 3)).astype(np.float32)
    outs = [make(nn, lib)(lib.tensor(x), lib.tensor(y)).numpy() for lib, nn in LIBS]
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda nn, lib: nn.CrossEntropyLoss(),
    lambda nn, lib: nn.CrossEntropyLoss(weight=lib.tensor([1.0, 2.0, 0.5]), ignore_index=1, label_smoothing=0.2),
    lambda nn, lib: nn.NLLLoss(reduction="none"),
])
def test_classification_loss_modules(make):
    x = np.random.randn(5, 3).astype(np.float32)
    t = np.array([0, 1, 2, 2, 1])
    outs = [make(nn, lib)(lib.tensor(x), lib.tensor(t)).numpy() for lib, nn in LIBS]
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda nn: nn.Flatten(), lambda nn: nn.Flatten(0, -1), lambda nn: nn.Flatten(1, 2),
    lambda nn: nn.Identity(), lambda nn: nn.Softmax(dim=-1), lambda nn: nn.LogSoftmax(dim=1),
    lambda nn: nn.Sigmoid(), lambda nn: nn.Tanh(), lambda nn: nn.ReLU(),
])
def test_shape_and_activation_layers(make):
    x = np.random.randn(2, 3, 4).astype(np.float32)
    outs = [make(nn)(lib.tensor(x)) for lib, nn in LIBS]
    assert tuple(outs[0].shape) == tuple(outs[1].shape)
    np.testing.assert_allclose(outs[0].numpy(), outs[1].numpy(), rtol=1e-5, atol=1e-6)


def test_loss_weights_are_buffers_in_the_state_dict():
    for lib, nn in LIBS:
        assert list(nn.CrossEntropyLoss(weight=lib.ones(3)).state_dict()) == ["weight"]
        assert list(nn.BCEWithLogitsLoss(pos_weight=lib.ones(3)).state_dict()) == ["pos_weight"]
        assert list(nn.CrossEntropyLoss().state_dict()) == []


def test_missing_forward():
    same_error(lambda lib, nn: nn.Module()(lib.ones(1)))


# ----------------------------------------------------------------------------- Sequential

def test_sequential_indexing_and_editing():
    nets = {}
    for lib, nn in LIBS:
        net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1), nn.Sigmoid())
        record = [type(net[0]).__name__, type(net[-1]).__name__, repr(net[1:3]), repr(net[::-2]), len(net),
                  [type(m).__name__ for m in net]]
        assert net.append(nn.Tanh()) is net
        net[1] = nn.Identity()
        del net[0]
        record.append(repr(net))
        net.insert(1, nn.ReLU())
        net.extend([nn.Sigmoid()])
        record.append(repr(net))
        del net[1:3]
        record.append(repr(net))
        nets[lib.__name__] = record
    assert nets["minigrad"] == nets["torch"]


def test_sequential_from_ordered_dict_keeps_names():
    def make(nn):
        return nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    m, t = make(mnn), make(tnn)
    assert repr(m) == repr(t)
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert repr(m[1:]) == repr(t[1:])


@pytest.mark.parametrize("index", [4, -5, "a"])
def test_sequential_index_errors(index):
    def call(lib, nn):
        return nn.Sequential(nn.ReLU(), nn.Tanh(), nn.ReLU(), nn.Tanh())[index]
    if isinstance(index, str):  # Python's own TypeError, raised before any of torch's code
        for lib, nn in LIBS:
            with pytest.raises(TypeError):
                call(lib, nn)
    else:
        same_error(call)


def test_module_list():
    for lib, nn in LIBS:
        layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
        layers.append(nn.Linear(2, 1))
        assert len(layers) == 4 and isinstance(layers[-1], nn.Linear)
        assert [n for n, _ in layers.named_parameters()][-2:] == ["3.weight", "3.bias"]
        assert len(layers[1:]) == 3


# ----------------------------------------------------------------------------- state_dict

def test_state_dict_keys_order_and_detachment():
    m, t = build(mnn, minigrad), build(tnn, torch)
    m_sd, t_sd = m.state_dict(), t.state_dict()
    assert type(m_sd) is OrderedDict
    assert list(m_sd) == list(t_sd)
    for key, value in m_sd.items():
        assert not value.requires_grad and value.grad_fn is None and type(value) is minigrad.Tensor
        assert tuple(value.shape) == tuple(t_sd[key].shape)
    m_sd["head.weight"].add_(1)  # detached, but the same storage, as in torch
    np.testing.assert_array_equal(m.head.weight.detach().numpy(), m_sd["head.weight"].numpy())
    kept = m.state_dict(keep_vars=True)
    assert kept["head.weight"] is m.head.weight


def test_state_dict_round_trip_between_engines():
    t = build(tnn, torch)
    m = build(mnn, minigrad)
    copy_parameters(t, m)
    for key, value in m.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), t.state_dict()[key].numpy())
    m2 = build(mnn, minigrad)
    result = m2.load_state_dict(m.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (_, a), (_, b) in zip(m.state_dict().items(), m2.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_load_state_dict_copies_in_place():
    layer = mnn.Linear(2, 2)
    weight = layer.weight
    layer.load_state_dict({"weight": minigrad.zeros(2, 2), "bias": minigrad.ones(2)})
    assert layer.weight is weight and weight.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert weight.requires_grad and weight.is_leaf


@pytest.mark.parametrize("case", ["missing", "unexpected", "both", "size", "size_and_missing", "not_tensor",
                                  "not_mapping", "nested_missing"])
def test_load_state_dict_errors(case):
    def call(lib, nn):
        layer = nn.Linear(3, 2)
        net = nn.Sequential(nn.Linear(3, 2), nn.Sequential(nn.Linear(2, 2)))
        return {
            "missing": lambda: layer.load_state_dict({"weight": lib.zeros(2, 3)}),
            "unexpected": lambda: layer.load_state_dict({"weight": lib.zeros(2, 3), "bias": lib.zeros(2),
                                                         "foo": lib.zeros(1), "bar.baz": lib.zeros(1)}),
            "both": lambda: layer.load_state_dict({"weight": lib.zeros(2, 3), "extra": lib.zeros(1)}),
            "size": lambda: layer.load_state_dict({"weight": lib.zeros(3, 3), "bias": lib.zeros(2)}),
            "size_and_missing": lambda: layer.load_state_dict({"weight": lib.zeros(3, 3)}),
            "not_tensor": lambda: layer.load_state_dict({"weight": lib.zeros(2, 3), "bias": 3}),
            "not_mapping": lambda: layer.load_state_dict([("weight", lib.zeros(2, 3))]),
            "nested_missing": lambda: net.load_state_dict({"0.weight": lib.zeros(2, 3), "1.0.bias": lib.zeros(2),
                                                           "1.1.weight": lib.zeros(2)}),
        }[case]()
    same_error(call)


def test_load_state_dict_not_strict_reports_keys_like_torch():
    results = []
    for lib, nn in LIBS:
        layer = nn.Linear(3, 2)
        results.append(repr(layer.load_state_dict({"weight": lib.zeros(2, 3), "foo": lib.zeros(1)}, strict=False)))
        with pytest.raises(RuntimeError):  # a size mismatch is an error even when not strict
            layer.load_state_dict({"weight": lib.zeros(3, 3)}, strict=False)
    assert results[0] == results[1] == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=['foo'])"


# ----------------------------------------------------------------------------- modes and gradients

def test_train_and_eval_propagate_and_return_self():
    for lib, nn in LIBS:
        net = build(nn, lib)
        assert net.training and all(m.training for m in net.modules())
        assert net.eval() is net
        assert not any(m.training for m in net.modules())
        assert net.train() is net and all(m.training for m in net.modules())
        net.body.train(False)
        assert net.training and not net.body[2].training
    same_error(lambda lib, nn: nn.Linear(1, 1).train("yes"))


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    for lib, nn in LIBS:
        net = build(nn, lib)
        net(lib.ones(2, 4)).sum().backward()
        grads = {name: p.grad for name, p in net.named_parameters()}
        assert all(g is not None for g in grads.values())
        net.zero_grad(set_to_none=set_to_none)
        for name, p in net.named_parameters():
            if set_to_none:
                assert p.grad is None
            else:
                assert p.grad is grads[name] and not p.grad.any()
    net = mnn.Linear(2, 2)
    net(minigrad.ones(1, 2)).sum().backward()
    net.zero_grad()  # the default is set_to_none=True, as in torch
    assert net.weight.grad is None


def test_requires_grad_toggle():
    for lib, nn in LIBS:
        net = build(nn, lib)
        assert net.requires_grad_(False) is net
        assert not any(p.requires_grad for p in net.parameters())
        net.requires_grad_()
        assert all(p.requires_grad for p in net.parameters())


@pytest.mark.parametrize("convert", ["double", "to_float64", "float"])
def test_dtype_conversion(convert):
    dtypes = []
    for lib, nn in LIBS:
        net = build(nn, lib)
        weight = net.head.weight
        net = {"double": lambda: net.double(), "to_float64": lambda: net.to(lib.float64),
               "float": lambda: net.double().float()}[convert]()
        assert net.head.weight is weight  # the same Parameter object, new data
        dtypes.append([normalise(p.dtype) for p in net.parameters()] + [normalise(b.dtype) for b in net.buffers()])
        out = net(lib.ones(1, 4, dtype=net.head.weight.dtype))
        dtypes[-1].append(normalise(out.dtype))
    assert dtypes[0] == dtypes[1]
    same_error(lambda lib, nn: nn.Linear(1, 1).to(lib.int64))


# ----------------------------------------------------------------------------- registration errors

@pytest.mark.parametrize("case", [
    "tensor_as_parameter", "int_as_module", "parameter_before_init", "module_before_init", "dotted_name",
    "empty_name", "int_name", "existing_attribute", "plain_tensor_param", "nonleaf_param", "unknown_attribute",
    "buffer_dotted", "buffer_not_tensor", "add_module_not_module", "add_module_dotted", "add_module_existing",
])
def test_registration_errors(case):
    def call(lib, nn):
        layer = nn.Linear(2, 2)
        seq = nn.Sequential(nn.ReLU())

        class ParameterFirst(nn.Module):
            def __init__(self):
                self.w = nn.Parameter(lib.zeros(1))

        class ModuleFirst(nn.Module):
            def __init__(self):
                self.child = nn.ReLU()

        return {
            "tensor_as_parameter": lambda: setattr(layer, "weight", lib.zeros(2, 2)),
            "int_as_module": lambda: setattr(seq, "0", 3),
            "parameter_before_init": ParameterFirst,
            "module_before_init": ModuleFirst,
            "dotted_name": lambda: layer.register_parameter("a.b", None),
            "empty_name": lambda: layer.register_parameter("", None),
            "int_name": lambda: layer.register_parameter(1, None),
            "existing_attribute": lambda: layer.register_parameter("training", None),
            "plain_tensor_param": lambda: layer.register_parameter("z", lib.zeros(2)),
            "nonleaf_param": lambda: layer.register_parameter("z", nn.Parameter(lib.zeros(2)) * 2),
            "unknown_attribute": lambda: layer.weights,
            "buffer_dotted": lambda: layer.register_buffer("a.b", None),
            "buffer_not_tensor": lambda: layer.register_buffer("b", 3),
            "add_module_not_module": lambda: layer.add_module("m", 3),
            "add_module_dotted": lambda: layer.add_module("a.b", nn.ReLU()),
            "add_module_existing": lambda: layer.add_module("weight", nn.ReLU()),
        }[case]()
    same_error(call)
