"""nn.init's gains, fans and error texts against torch.nn.init."""
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
torch.set_num_threads(1)  # tiny tensors: extra threads only add wake-up latency

import minigrad  # noqa: E402
from minigrad.nn import init  # noqa: E402
from tests.conftest import normalise  # noqa: E402


@pytest.mark.parametrize("nonlinearity,param", [
    ("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
    ("leaky_relu", 0.2), ("leaky_relu", 0), ("leaky_relu", 5 ** 0.5), ("selu", None),
])
def test_calculate_gain(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


@pytest.mark.parametrize("shape", [(2, 3), (5, 1), (4, 3, 2), (6, 4, 3, 3)])
def test_fans(shape):
    assert init._calculate_fan_in_and_fan_out(minigrad.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.init.xavier_uniform_(lib.empty(3)),
    lambda lib: lib.nn.init.kaiming_uniform_(lib.empty(3, 3), mode="fan_avg"),
    lambda lib: lib.nn.init.calculate_gain("gelu"),
    lambda lib: lib.nn.init.calculate_gain("leaky_relu", "x"),
    lambda lib: lib.nn.init.eye_(lib.empty(3)),
])
def test_errors_match_torch(call):
    errors = []
    for lib in (minigrad, torch):
        with pytest.raises(Exception) as info:
            call(lib)
        errors.append(info.value)
    assert type(errors[0]) is type(errors[1])
    assert str(errors[0]).startswith(normalise(str(errors[1])))
    assert len(str(errors[0])) > len(str(errors[1])) + 10
