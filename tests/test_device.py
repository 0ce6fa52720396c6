"""Devices: torch.device, torch.cuda and the idiom that picks a device, against torch; minigrad has the
CPU only and refuses to move anything elsewhere."""
import pytest

import minigrad

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from tests.differential import check  # noqa: E402


def test_the_idiom_that_picks_a_device():
    def scenario(lib):
        where = lib.device("cuda" if lib.cuda.is_available() else "cpu")
        model = lib.nn.Linear(3, 2).to(where)
        x = lib.ones(4, 3).to(where)
        y = lib.zeros(2, device=where)
        return (repr(where), str(where), where.type, where.index, repr(x.device), x.device == where,
                model(x).device == where, y.device.type, x.get_device(), x.is_cuda,
                lib.cuda.device_count(), lib.backends.mps.is_available(), type(model.cpu()).__name__)

    check(scenario)


@pytest.mark.parametrize("name", ["cpu", "cuda", "cuda:0", "cpu:0", "mps", "meta:3", ("cuda", 1), "foo", "CPU",
                                  "cuda:x", "cuda:-1", "cuda:1:2"], ids=str)
def test_naming_a_device(name):
    def scenario(lib):
        d = lib.device(*name) if isinstance(name, tuple) else lib.device(name)
        return repr(d), str(d), d.type, d.index, d == lib.device(d), hash(d) == hash(lib.device(str(d)))

    check(scenario)


def test_devices_compare_by_type_and_index():
    check(lambda lib: (lib.device("cuda", 0) == lib.device("cuda:0"), lib.device("cpu") == lib.device("cpu:0"),
                       lib.device("cpu") == "cpu", repr(lib.ones(1).to("cpu:0").device)))


@pytest.mark.parametrize("move", [
    lambda: minigrad.ones(2).to("cuda"),
    lambda: minigrad.ones(2).to(minigrad.device("cuda:0")),
    lambda: minigrad.ones(2).to(device="mps"),
    lambda: minigrad.zeros(2, device="cuda"),
    lambda: minigrad.tensor([1.0], device=minigrad.device("cuda")),
    lambda: minigrad.nn.Linear(2, 2).to("cuda"),
    lambda: minigrad.nn.Linear(2, 2).to(device=minigrad.device("cuda")),
], ids=["tensor.to(str)", "tensor.to(device)", "tensor.to(device=)", "zeros", "tensor", "module.to(str)",
        "module.to(device=)"])
def test_moving_anything_off_the_cpu_is_refused(move):
    # (torch built without CUDA raises AssertionError "Torch not compiled with CUDA enabled")
    with pytest.raises(RuntimeError, match="minigrad runs on the CPU only"):
        move()
