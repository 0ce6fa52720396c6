"""isclose, allclose and equal (how a learner checks a gradient) against torch: values, nan and inf,
broadcasting, dtypes and the refusals."""
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from tests.differential import check  # noqa: E402

NAN, INF = float("nan"), float("inf")
A = [1.0, 2.0, NAN, INF, -INF, 0.0]
B = [1.0, 2.000001, NAN, INF, INF, 1e-9]

CASES = {
    "isclose": lambda lib: lib.isclose(lib.tensor(A), lib.tensor(B)),
    "isclose equal_nan": lambda lib: lib.isclose(lib.tensor(A), lib.tensor(B), equal_nan=True),
    "isclose tolerances": lambda lib: lib.isclose(lib.tensor(A), lib.tensor(B), rtol=0.0, atol=1e-8),
    "isclose method": lambda lib: lib.tensor(A).isclose(lib.tensor(B), atol=0.1),
    "isclose integers": lambda lib: lib.isclose(lib.tensor([1, 2]), lib.tensor([1, 3])),
    "isclose bools": lambda lib: lib.isclose(lib.tensor([True, False]), lib.tensor([True, True])),
    "isclose broadcast": lambda lib: lib.isclose(lib.ones(2, 3), lib.ones(3)),
    "isclose requires grad": lambda lib: lib.isclose(lib.ones(2, requires_grad=True) * 2, lib.full((2,), 2.0)),
    "allclose": lambda lib: lib.allclose(lib.tensor(A[:2]), lib.tensor(B[:2])),
    "allclose nan": lambda lib: lib.allclose(lib.tensor(A), lib.tensor(A)),
    "allclose nan equal_nan": lambda lib: lib.allclose(lib.tensor(A[:4]), lib.tensor(A[:4]), equal_nan=True),
    "allclose broadcast": lambda lib: lib.allclose(lib.tensor([1.0, 1.0]), lib.ones(1)),
    "allclose method": lambda lib: lib.tensor([1.0, 2.0]).allclose(lib.tensor([1.0, 2.1]), rtol=0.1),
    "allclose gradient": lambda lib: _gradient_check(lib),
    "equal": lambda lib: lib.equal(lib.ones(2), lib.ones(2)),
    "equal nan": lambda lib: lib.equal(lib.tensor(A), lib.tensor(A)),
    "equal dtypes": lambda lib: lib.equal(lib.ones(2), lib.ones(2, dtype=lib.int64)),
    "equal shapes": lambda lib: (lib.equal(lib.ones(2), lib.ones(3)), lib.equal(lib.ones(2, 1), lib.ones(2))),
    "equal method": lambda lib: lib.ones(2).equal(lib.zeros(2)),
    # refusals
    "isclose dtypes": lambda lib: lib.isclose(lib.ones(2), lib.ones(2, dtype=lib.float64)),
    "allclose dtypes": lambda lib: lib.allclose(lib.ones(2), lib.ones(2, dtype=lib.int64)),
    "allclose shapes": lambda lib: lib.allclose(lib.ones(3), lib.ones(2)),
    "isclose negative rtol": lambda lib: lib.isclose(lib.ones(2), lib.ones(2), rtol=-1),
    "isclose negative atol": lambda lib: lib.isclose(lib.ones(2), lib.ones(2), atol=-0.5),
    "isclose number": lambda lib: lib.isclose(lib.ones(1), 1.0),
    "isclose number first": lambda lib: lib.isclose(1.0, lib.ones(1)),
    "allclose number": lambda lib: lib.allclose(lib.ones(1), 1.0),
    "equal number": lambda lib: lib.equal(lib.ones(1), 1.0),
}


def _gradient_check(lib):
    x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    (x**3).sum().backward()
    return lib.allclose(x.grad, 3 * x.detach() ** 2), lib.allclose(x.grad, x.detach())


@pytest.mark.parametrize("name", sorted(CASES))
def test_closeness(name):
    check(CASES[name])
