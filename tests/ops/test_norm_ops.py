"""x.norm(p, dim, keepdim, dtype) and minigrad.norm against torch: values, dtypes, the node's name,
gradients (shared evenly among ties for p = +-inf, none for p = 0, 0 where the norm or, for p < 1, an
entry is 0), second derivatives, torch's refusals; and a numerical gradient check."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.torch, pytest.mark.filterwarnings("error::RuntimeWarning")]

import minigrad  # noqa: E402

from tests.ops._differential import both, check, check_double, check_error, values  # noqa: E402

ORDERS = [2, "fro", 1, math.inf, -math.inf, 0, 0.5, 3, -1.0]
DIMS = [None, 0, -1, (0, 1), ()]

# zeros (where |x|^(p-1) is infinite for p < 1), ties of the largest |x| with opposite signs, and a row
# that is all zeros (a norm of 0)
SPECIAL = np.array([[3.0, -3.0, 0.0, 1.0], [0.5, 2.0, -1.5, 0.0], [0.0, 0.0, 0.0, 0.0]])


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("p", ORDERS, ids=str)
def test_norm_of_awkward_entries(p, dim, keepdim):
    check(lambda lib, a: a.norm(p, dim, keepdim), SPECIAL.astype("float32"))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("p", ORDERS, ids=str)
def test_norm_of_random_entries_and_its_second_derivative(p, dim, dtype):
    x = values(7, (3, 4)).astype(dtype)
    check(lambda lib, a: lib.norm(a, p=p, dim=dim), x)
    # p = 0 has no gradient; p = 1 and +-inf are piecewise linear: torch's second derivative is a
    # ZeroTensor, which cannot be compared as an array (gradgradcheck below checks minigrad's)
    if p not in (0, 1, math.inf, -math.inf):
        check_double(lambda lib, a: a.norm(p=p, dim=dim), x)


@pytest.mark.parametrize("p", ORDERS, ids=str)
@pytest.mark.parametrize("shape", [(), (5,), (2, 3, 2)], ids=str)
def test_norm_of_other_shapes(shape, p):
    check(lambda lib, a: a.norm(p), values(3, shape).astype("float32"))


@pytest.mark.parametrize("p", [2, 1, 0, 3])
def test_norm_of_an_empty_tensor_is_zero(p):
    check(lambda lib, a: a.norm(p), np.zeros((0,), np.float32))
    check(lambda lib, a: a.norm(p, dim=1), np.zeros((2, 0), np.float32))


def test_the_largest_entry_of_an_empty_tensor_along_a_dim_that_is_not_empty():
    check(lambda lib, a: a.norm(math.inf, dim=1), np.zeros((0, 2), np.float32))


def test_norm_in_a_wider_dtype_and_past_the_dtypes_range():
    check(lambda lib, a: a.norm(dtype=lib.float64), values(1, (4,)).astype("float32"))
    # squares past float32's range: inf, as in torch, and no NumPy warning; squares below it: 0
    check(lambda lib, a: a.norm(), np.array([1e30, 1e30], np.float32))
    check(lambda lib, a: a.norm(), np.array([1e-30, 1e-30], np.float32))


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([1, 2]).norm(),  # integers
    lambda lib: lib.tensor([1.0, 2.0], dtype=lib.float64).norm(dtype=lib.float32),  # narrowing
    lambda lib: lib.zeros(0).norm(math.inf),  # no identity
    lambda lib: lib.zeros(2, 0).norm(-math.inf, dim=1),
    lambda lib: lib.zeros(2, 0, 3).norm(math.inf, dim=(0, -2)),
    lambda lib: lib.ones(2, 3).norm(dim=2),  # no such dim
    lambda lib: lib.ones(2, 3).norm("abc"),
])
def test_norm_refuses_what_torch_refuses(call):
    check_error(call)


def test_the_nuclear_norm_is_refused_with_a_reason():
    with pytest.raises(NotImplementedError, match="nuclear norm"):
        minigrad.ones(2, 3).norm("nuc")


@pytest.mark.parametrize("p", [2, 1, 3, 0.5, -1.0, math.inf])
def test_norm_gradient_matches_finite_differences(p):
    x = minigrad.tensor(values(11, (3, 4), away_from=(0.0,)), dtype=minigrad.float64, requires_grad=True)
    assert minigrad.autograd.gradcheck(lambda a: a.norm(p, dim=1), (x,))
    assert minigrad.autograd.gradgradcheck(lambda a: a.norm(p), (x,))


def test_norm_records_its_torch_node_and_passes_the_leaf_on():
    m, t = both(values(2, (2, 3)))
    for lib, x in ((minigrad, m), (torch, t)):
        node = x.norm().grad_fn
        assert node.name() == "LinalgVectorNormBackward0"
        assert [type(n).__name__ for n, _ in node.next_functions] == ["AccumulateGrad"]
