"""fill_, zero_, uniform_, normal_ and copy_ against torch: values, gradients and refusals."""
import numpy as np
import pytest

import minigrad

torch = pytest.importorskip("torch")

WEIGHTS = [[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]]


def _through(lib, change, random=False):
    """x -> h = 2x -> h changed in place -> (h * w).sum(): the values, and the gradients of x and of
    whatever `change` made that requires grad."""
    x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    others = {"y": lib.tensor([[0.5, -1.5, 2.0], [1.0, 0.0, -3.0]], requires_grad=True),
              "row": lib.tensor([7.0, 8.0, 9.0], requires_grad=True),
              "v": lib.tensor(2.5, requires_grad=True),
              "y64": lib.tensor([[0.5, -1.5, 2.0], [1.0, 0.0, -3.0]], dtype=lib.float64, requires_grad=True)}
    h = x * 2.0
    change(lib, h, others)
    (h * lib.tensor(WEIGHTS)).sum().backward()
    grads = {k: None if t.grad is None else (t.grad.numpy().tolist(), str(t.grad.dtype).split(".")[-1])
             for k, t in others.items()}
    return (None if random else h.detach().numpy().tolist(), str(h.dtype).split(".")[-1], h.requires_grad,
            x.grad.numpy().tolist(), grads)


@pytest.mark.parametrize("change", [
    lambda lib, h, o: h.fill_(1.5),
    lambda lib, h, o: h.fill_(-3),
    lambda lib, h, o: h.fill_(o["v"]),
    lambda lib, h, o: h.fill_(lib.tensor(4.0, dtype=lib.float64)),
    lambda lib, h, o: h.zero_(),
    lambda lib, h, o: h.copy_(o["y"]),
    lambda lib, h, o: h.copy_(o["row"]),
    lambda lib, h, o: h.copy_(o["v"]),
    lambda lib, h, o: h.copy_(o["y64"]),
    lambda lib, h, o: h.copy_(o["y"].detach()),
    lambda lib, h, o: h.copy_(lib.tensor([[1, 2, 3], [4, 5, 6]])),
    lambda lib, h, o: h.relu_(),
], ids=["fill_(float)", "fill_(int)", "fill_(0-d that requires grad)", "fill_(float64 0-d)", "zero_",
        "copy_(y)", "copy_(row) broadcast", "copy_(0-d)", "copy_(float64)", "copy_(constant)", "copy_(ints)",
        "relu_"])
def test_an_overwrite_inside_a_graph_gives_torchs_values_and_gradients(change):
    assert _through(minigrad, change) == _through(torch, change)


@pytest.mark.parametrize("method, args", [("uniform_", (-1.0, 1.0)), ("normal_", (0.0, 2.0))])
def test_random_overwrites_inside_a_graph_cut_the_old_values_gradient(method, args):
    change = lambda lib, h, o: getattr(h, method)(*args)  # noqa: E731
    assert _through(minigrad, change, random=True) == _through(torch, change, random=True)


@pytest.mark.parametrize("method, args", [("fill_", (1.0,)), ("zero_", ()), ("copy_", ([1.0, 2.0],)),
                                          ("uniform_", ()), ("normal_", ())])
def test_overwriting_a_leaf_that_requires_grad_is_refused_unless_under_no_grad(method, args):
    messages = []
    for lib in (minigrad, torch):
        leaf = lib.tensor([3.0, 4.0], requires_grad=True)
        values = [lib.tensor(a) if isinstance(a, list) else a for a in args]
        with pytest.raises(RuntimeError) as error:
            getattr(leaf, method)(*values)
        messages.append(str(error.value))
        with lib.no_grad():
            getattr(leaf, method)(*values)
        assert leaf.requires_grad and leaf.grad_fn is None and leaf._version > 0
    assert messages[0].startswith(messages[1])


@pytest.mark.parametrize("make", [
    lambda lib: lib.zeros(3).copy_(lib.ones(2)),
    lambda lib: lib.zeros(2, 3).copy_(lib.ones(4, 2, 3)),
    lambda lib: lib.zeros(3).fill_(lib.ones(2)),
    lambda lib: lib.zeros(3, dtype=lib.int8).fill_(300),
    lambda lib: lib.zeros(3, dtype=lib.int16).fill_(-40000),
    lambda lib: lib.zeros(3, dtype=lib.int32).fill_(2 ** 31),
    lambda lib: lib.zeros(3, dtype=lib.int64).fill_(2 ** 63),
    lambda lib: lib.zeros(3, dtype=lib.uint8).fill_(-256),
    lambda lib: lib.zeros(3, dtype=lib.int8).fill_(float("nan")),
    lambda lib: lib.zeros(3).fill_(1e40),
    lambda lib: lib.zeros(3, dtype=lib.float16).fill_(70000.0),
], ids=["copy_ does not broadcast", "copy_ would grow", "fill_ with a 1-d tensor", "int8 300", "int16",
        "int32", "int64", "uint8 -256", "int nan", "float32 1e40", "float16 70000"])
def test_refusals_are_torchs(make):
    messages = []
    for lib in (minigrad, torch):
        with pytest.raises(RuntimeError) as error:
            make(lib)
        messages.append(str(error.value))
    assert messages[0].startswith(messages[1]) and len(messages[0]) > len(messages[1])  # plus a sentence


@pytest.mark.parametrize("dtype, value", [("uint8", -1), ("uint8", -255), ("int64", 2.7), ("int64", -2.7),
                                          ("bool", 0.5), ("bool", 0), ("float32", float("inf")),
                                          ("float64", -1e300), ("float16", 65504.0), ("int8", True)])
def test_numbers_that_fit_fill_as_in_torch(dtype, value):
    got = minigrad.zeros(2, dtype=getattr(minigrad, dtype)).fill_(value)
    expected = torch.zeros(2, dtype=getattr(torch, dtype)).fill_(value)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
    assert got.numpy().dtype == expected.numpy().dtype
