"""+ - * / ** @ and neg, on minigrad and torch: values, dtypes, flags, grad_fn names and gradients."""
import operator

import pytest

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.torch, pytest.mark.filterwarnings("error::RuntimeWarning")]

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.ops._differential import broadcast_pair, both, check, float_dtypes, seeds, shapes, values  # noqa: E402

SETTINGS = settings(max_examples=15, deadline=None)
BINARY = [operator.add, operator.sub, operator.mul, operator.truediv]


@pytest.mark.parametrize("op", BINARY, ids=lambda f: f.__name__)
@SETTINGS
@given(pair=broadcast_pair(), dtype=float_dtypes, seed=seeds)
def test_binary_operator_broadcasting(op, pair, dtype, seed):
    a = values(seed, pair[0]).astype(dtype)
    b = values(seed + 1, pair[1], away_from=[0.0]).astype(dtype)
    check(lambda lib, x, y: op(x, y), a, b)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div"])
@SETTINGS
@given(pair=broadcast_pair(), dtype=float_dtypes, seed=seeds)
def test_binary_function_and_method(name, pair, dtype, seed):
    a = values(seed, pair[0]).astype(dtype)
    b = values(seed + 1, pair[1], away_from=[0.0]).astype(dtype)
    check(lambda lib, x, y: getattr(lib, name)(x, y), a, b)
    check(lambda lib, x, y: getattr(x, name)(y), a, b)


@pytest.mark.parametrize("name", ["add", "sub"])
@pytest.mark.parametrize("alpha", [1, 2, -0.5])
def test_add_sub_alpha(name, alpha):
    a, b = values(1, (2, 3)), values(2, (3,))
    check(lambda lib, x, y: getattr(lib, name)(x, y, alpha=alpha), a, b)


@pytest.mark.parametrize("number", [2, -3, 0.5, 2.5, True])
@pytest.mark.parametrize(
    "op", [operator.add, operator.sub, operator.mul, operator.truediv], ids=lambda f: f.__name__
)
@pytest.mark.parametrize("reflected", [False, True], ids=["tensor_op_number", "number_op_tensor"])
@SETTINGS
@given(shape=shapes(), dtype=float_dtypes, seed=seeds)
def test_with_python_number(number, op, reflected, shape, dtype, seed):
    a = values(seed, shape, away_from=[0.0]).astype(dtype)
    if reflected:
        check(lambda lib, x: op(number, x), a)
    else:
        check(lambda lib, x: op(x, number), a)


@SETTINGS
@given(shape=shapes(), dtype=float_dtypes, seed=seeds)
def test_neg(shape, dtype, seed):
    a = values(seed, shape).astype(dtype)
    check(lambda lib, x: -x, a)
    check(lambda lib, x: lib.neg(x), a)
    check(lambda lib, x: x.neg(), a)


@pytest.mark.parametrize("exponent", [2, 3, 1, 0, -1, -2, 0.5, 2.5, -1.5, 0.0, 1.0, 2.0])
@SETTINGS
@given(shape=shapes(), dtype=float_dtypes, seed=seeds)
def test_pow_number_exponent(exponent, shape, dtype, seed):
    a = values(seed, shape, 0.2, 2.0).astype(dtype)  # positive: fractional powers are defined
    check(lambda lib, x: x ** exponent, a)
    check(lambda lib, x: lib.pow(x, exponent), a)


@pytest.mark.parametrize("exponent", [2, 3, 1, 0, -1, -2, 2.0])
def test_pow_integer_exponent_of_negative_and_zero_base(exponent):
    a = np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 1.5])
    if exponent in (-1, -2):
        a = a[a != 0]
    check(lambda lib, x: x ** exponent, a)


@SETTINGS
@given(pair=broadcast_pair(), dtype=float_dtypes, seed=seeds)
def test_pow_tensor_exponent(pair, dtype, seed):
    a = values(seed, pair[0], 0.2, 2.0).astype(dtype)
    b = values(seed + 1, pair[1], -2.0, 2.0).astype(dtype)
    check(lambda lib, x, y: x ** y, a, b)
    check(lambda lib, x, y: lib.pow(x, y), a, b)


def test_pow_tensor_exponent_zero_base():
    # d/db 0**b is 0 for b > 0 (not nan from log(0)); torch's rule
    a = np.array([0.0, 0.0, 0.0, 2.0])
    b = np.array([1.0, 2.0, 0.5, 0.0])
    check(lambda lib, x, y: x ** y, a, b)


@pytest.mark.parametrize("base", [2, 2.5, 0.5])
@SETTINGS
@given(shape=shapes(), dtype=float_dtypes, seed=seeds)
def test_number_to_tensor_power(base, shape, dtype, seed):
    a = values(seed, shape).astype(dtype)
    check(lambda lib, x: base ** x, a)
    check(lambda lib, x: lib.pow(base, x), a)


MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)), ((4, 2, 3), (4, 3, 2)),
    ((4, 2, 3), (3, 2)), ((2, 3), (4, 3, 2)), ((3,), (4, 3, 2)), ((4, 2, 3), (3,)),
    ((1, 4, 2, 3), (4, 3, 2)), ((2, 1, 2, 3), (1, 5, 3, 2)), ((5, 1, 3), (2, 3, 4)), ((1, 3), (3, 1)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matmul(sa, sb, dtype):
    a, b = values(1, sa).astype(dtype), values(2, sb).astype(dtype)
    check(lambda lib, x, y: x @ y, a, b)
    check(lambda lib, x, y: lib.matmul(x, y), a, b)
    check(lambda lib, x, y: x.matmul(y), a, b)


@pytest.mark.parametrize("which", [0, 1])
def test_matmul_one_side_requires_grad(which):
    a, b = values(1, (2, 3)), values(2, (3, 4))
    pa, pb = both(a, requires_grad=which == 0), both(b, requires_grad=which == 1)
    check(lambda lib, x, y: x @ y, pa, pb)


def test_binary_one_side_requires_grad():
    a, b = values(1, (2, 3)), values(2, (3,), away_from=[0.0])
    for op in BINARY + [operator.pow]:
        for which in (0, 1):
            pa = both(np.abs(a) + 0.1, requires_grad=which == 0)
            pb = both(b, requires_grad=which == 1)
            check(lambda lib, x, y: op(x, y), pa, pb)


def test_same_tensor_on_both_sides_accumulates():
    a = values(3, (2, 3), away_from=[0.0])
    for op in BINARY + [operator.matmul]:
        x = a if op is not operator.matmul else values(3, (3, 3))
        check(lambda lib, t: op(t, t), x)


def test_no_grad_gives_no_graph():
    a, b = values(1, (2, 3)), values(2, (2, 3))

    def fn(lib, x, y):
        with lib.no_grad():
            return x * y + x / (y * y + 1) - x ** 2 @ y.T

    check(fn, a, b)


@pytest.mark.parametrize("mode", ["floor", "trunc"])
@pytest.mark.parametrize("other", ["tensor", "number", "int tensors"])
def test_div_with_rounding_mode_has_a_zero_gradient(mode, other):
    a, b = values(4, (2, 3), -5, 5), values(5, (2, 3), away_from=[0.0])
    if other == "int tensors":
        check(lambda lib, x, y: lib.div(x, y, rounding_mode=mode), both(a.astype(np.int64)),
              both(np.where(b > 0, 2, -3)))
    elif other == "number":
        check(lambda lib, x: lib.div(x, -1.5, rounding_mode=mode), a)
    else:
        check(lambda lib, x, y: x.div(y, rounding_mode=mode), a, b)


def test_div_rounding_errors_are_torchs():
    from tests.ops._differential import check_error

    check_error(lambda lib: lib.div(lib.ones(2), 2.0, rounding_mode="round"))
    check_error(lambda lib: lib.div(lib.tensor([3, 4]), lib.tensor([1, 0]), rounding_mode="trunc"))


def test_floor_divide_records_a_node_whose_backward_is_torchs_error():
    from tests.ops._differential import check_error

    a, b = values(6, (2, 3), -5, 5), values(7, (2, 3), away_from=[0.0])
    check(lambda lib, x, y: x // y, a, b, backward=False)
    check(lambda lib, x: x // 0.0, a, backward=False)  # inf and nan, without a warning
    check_error(lambda lib: (lib.tensor([1.5, -2.5], requires_grad=True) // 2.0).sum().backward())


def test_a_number_floor_divided_by_a_tensor_as_in_torch():
    # 7.0 // x is Tensor.__rfloordiv__: torch's values, dtypes, node and backward error
    from tests.ops._differential import check_error

    b = values(7, (2, 3), away_from=[0.0])
    check(lambda lib, y: 7.0 // y, b, backward=False)
    check(lambda lib, y: -3 // y, b, backward=False)
    check(lambda lib: 7 // lib.tensor([2, 3, -4]))
    check(lambda lib: 7.5 // lib.tensor([2, 3, -4]))
    check_error(lambda lib: (7.0 // lib.tensor([1.5, -2.5], requires_grad=True)).sum().backward())


def test_rsub_of_two_tensors_subtracts_the_first_from_the_second():
    a, b = values(8, (2, 3)), values(9, (3,))
    check(lambda lib, x, y: x.__rsub__(y), a, b)
    check(lambda lib, x: x.__rsub__(2.5), a)
