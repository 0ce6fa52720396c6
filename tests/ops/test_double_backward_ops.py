"""Gradients of gradients (create_graph=True) against torch, for every op with a backward, including
the inputs where an op has a kink or a tie (torch's conventions there are what minigrad must copy)."""
import pytest

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.torch, pytest.mark.filterwarnings("error::RuntimeWarning")]

import numpy as np  # noqa: E402

from tests.ops._differential import both, check_double, values  # noqa: E402

KINKY = np.array([[-1.0, 0.0, 1.0], [2.0, -1.0, 0.0]])  # zeros and ties
A, B, P = values(1, (2, 3)), values(2, (3,)), values(3, (2, 3), 0.3, 2.0)

CASES = {
    "add": (lambda lib, a, b: a + b * 2, [A, B]),
    "sub": (lambda lib, a, b: 1.5 - a - b, [A, B]),
    "mul": (lambda lib, a, b: a * b * a, [A, B]),
    "div": (lambda lib, a, b: a / b, [A, values(4, (3,), away_from=[0.0])]),
    "rdiv": (lambda lib, a: 2 / a, [P]),
    "pow": (lambda lib, a: a ** 3 + a ** 0.5 + a ** -2, [P]),
    "pow_tensor": (lambda lib, a, b: a ** b, [P, B]),
    "rpow": (lambda lib, a: 3.0 ** a, [A]),
    "matmul": (lambda lib, a, b: (a @ b) ** 2, [A, values(5, (3, 2))]),
    "matmul_vec": (lambda lib, a, b: (a @ b) ** 2, [A, B]),
    "matmul_batch": (lambda lib, a, b: (a @ b) ** 2, [values(6, (2, 2, 3)), values(7, (3, 1))]),
    "exp": (lambda lib, a: a.exp(), [A]),
    "log": (lambda lib, a: a.log(), [P]),
    "sqrt": (lambda lib, a: a.sqrt(), [P]),
    "sin_cos": (lambda lib, a: a.sin() * a.cos(), [A]),
    "tanh": (lambda lib, a: a.tanh(), [A]),
    "sigmoid": (lambda lib, a: a.sigmoid(), [A]),
    "relu": (lambda lib, a: a.relu() * a, [KINKY]),
    "abs": (lambda lib, a: a.abs() * a, [KINKY]),
    "clamp": (lambda lib, a: a.clamp(-1, 1) * a, [KINKY]),
    "clamp_tensor": (lambda lib, a, lo: lib.clamp(a, lo) * a, [KINKY, np.array([0.0, 0.0, 2.0])]),
    "maximum_ties": (lambda lib, a, b: lib.maximum(a, b) * a, [KINKY, np.array([0.0, 0.0, 1.0])]),
    "minimum_ties": (lambda lib, a, b: lib.minimum(a, b) * b, [KINKY, np.array([0.0, 0.0, 1.0])]),
    "where": (lambda lib, a, b: lib.where(a > 0, a * a, b * b), [A, B]),
    "sum_mean": (lambda lib, a: a.sum(1) * a.mean(0).sum(), [A]),
    "max_ties": (lambda lib, a: a.max() * a, [KINKY]),
    "max_dim": (lambda lib, a: a.max(1).values ** 2, [A]),
    "amax": (lambda lib, a: a.amax(0) ** 2, [KINKY]),
    "var_std": (lambda lib, a: a.var(1) + a.std(), [A]),
    "logsumexp": (lambda lib, a: a.logsumexp(1), [A]),
    "softmax": (lambda lib, a: a.softmax(1), [A]),
    "log_softmax": (lambda lib, a: a.log_softmax(0), [A]),
    "shapes": (lambda lib, a: (a.t().reshape(6).unsqueeze(0).expand(2, 6).permute(1, 0) ** 2)[1:, 0], [A]),
    "cat_stack": (lambda lib, a, b: lib.stack([lib.cat([a, a * b]), lib.cat([b * b, a])]) ** 2,
                  [values(8, (2,)), values(9, (2,))]),
    "index": (lambda lib, a: a[[0, 0, 1], [2, 2, 0]] * a[0, 1:].sum(), [A]),
    "mask": (lambda lib, a: a[a > 0] ** 2, [A]),
    "setitem": (lambda lib, a, b: _setitem(a, b), [A, B]),
    "cast": (lambda lib, a: a.float().double() ** 2, [A]),
}

# Each op alone: its gradient depends on the input only through the op's own backward, so whether
# that gradient requires grad at all is the op's doing. torch's does wherever the backward formula
# involves the input, even when its derivative is 0 (relu, whose second derivative is 0: not an error).
ALONE = {
    "relu": lambda lib, a: a.relu(),
    "relu_": lambda lib, a: (a * 1).relu_(),
    "ReLU": lambda lib, a: lib.nn.ReLU()(a),
    "F.relu": lambda lib, a: lib.nn.functional.relu(a),
    "abs": lambda lib, a: a.abs(),
    "sign": lambda lib, a: a.sign(),
    "clamp": lambda lib, a: a.clamp(-1, 1),
    "clamp_min": lambda lib, a: a.clamp(min=0),
    "maximum": lambda lib, a: lib.maximum(a, lib.zeros_like(a)),
    "where": lambda lib, a: lib.where(a > 0, a, 2 * a),
    "max": lambda lib, a: a.max(),
    "max_dim": lambda lib, a: a.max(1).values,
    "amax": lambda lib, a: a.amax(0),
    "sum": lambda lib, a: a.sum(),
    "mean": lambda lib, a: a.mean(0),
    "linear": lambda lib, a: a * 3 - 1,
    "shapes": lambda lib, a: a.t().reshape(6)[1:],
    "norm1": lambda lib, a: a.norm(1),
}


def _setitem(a, b):
    out = a * a
    out[0] = b * b
    return out * a


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_double_backward(name, dtype):
    fn, arrays = CASES[name]
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else None
    check_double(fn, *[both(a.astype(dtype)) for a in arrays], tol=tol)


@pytest.mark.parametrize("name", sorted(ALONE))
def test_double_backward_of_an_op_alone(name):
    check_double(ALONE[name], both(KINKY))
