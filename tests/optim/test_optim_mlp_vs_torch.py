"""A small MLP trained on both engines from identical weights gives identical losses."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
torch.set_num_threads(1)  # tiny tensors: extra threads only add wake-up latency

import minigrad  # noqa: E402


def mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3))


@pytest.mark.parametrize("make_optimizer,loss_name", [
    (lambda optim, params: optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
     "CrossEntropyLoss"),
    (lambda optim, params: optim.Adam(params, lr=0.01), "CrossEntropyLoss"),
    (lambda optim, params: optim.AdamW(params, lr=0.01, amsgrad=True), "MSELoss"),
], ids=["sgd-nesterov-ce", "adam-ce", "adamw-mse"])
def test_mlp_training_matches_torch(make_optimizer, loss_name):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 4)).astype(np.float32)
    labels = rng.integers(0, 3, 32)
    onehot = np.eye(3, dtype=np.float32)[labels]

    t_model = mlp(torch)
    m_model = mlp(minigrad)
    m_model.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in t_model.state_dict().items()})

    losses = []
    for lib, model in ((minigrad, m_model), (torch, t_model)):
        criterion = getattr(lib.nn, loss_name)()
        target = lib.tensor(labels) if loss_name == "CrossEntropyLoss" else lib.tensor(onehot)
        inputs = lib.tensor(x)
        opt = make_optimizer(lib.optim, model.parameters())
        history = []
        for _ in range(15):
            opt.zero_grad()
            loss = criterion(model(inputs), target)
            loss.backward()
            opt.step()
            history.append(loss.item())
        history.append(criterion(model(inputs), target).item())
        losses.append(history)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-4, atol=1e-6)
    assert losses[0][-1] < losses[0][0]  # and it did learn something
    for (name, m_p), (_, t_p) in zip(m_model.named_parameters(), t_model.named_parameters()):
        np.testing.assert_allclose(m_p.detach().numpy(), t_p.detach().numpy(), rtol=1e-4, atol=1e-5, err_msg=name)
