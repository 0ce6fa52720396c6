"""Copying and pickling modules and optimizers (no torch needed)."""
import copy
import pickle

import numpy as np

import minigrad
from minigrad import nn, optim


def model():
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


def test_deepcopy_makes_independent_parameters():
    net = model()
    twin = copy.deepcopy(net)
    assert [n for n, _ in twin.named_parameters()] == [n for n, _ in net.named_parameters()]
    for p, q in zip(net.parameters(), twin.parameters()):
        assert type(q) is nn.Parameter and q is not p and q.requires_grad and q.is_leaf
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    with minigrad.no_grad():
        twin[0].weight.add_(1)
    assert not np.array_equal(net[0].weight.detach().numpy(), twin[0].weight.detach().numpy())
    assert repr(twin) == repr(net)


def test_pickle_round_trip_keeps_parameters_and_forward():
    net = model()
    x = minigrad.randn(5, 3)
    clone = pickle.loads(pickle.dumps(net))
    assert all(type(p) is nn.Parameter and p.requires_grad for p in clone.parameters())
    np.testing.assert_array_equal(clone(x).detach().numpy(), net(x).detach().numpy())


def test_deepcopy_of_an_optimizer_copies_its_state():
    net = model()
    opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    net(minigrad.randn(2, 3)).sum().backward()
    opt.step()
    twin = copy.deepcopy(opt)
    assert repr(twin) == repr(opt)
    assert len(twin.state) == len(opt.state) == 4
