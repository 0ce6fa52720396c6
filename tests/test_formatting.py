"""Printing tensors, shapes and dtypes: minigrad's text must be torch's, character for character.

Comparisons go through tests/conftest.py::normalise (``torch.`` -> ``minigrad.``); lines still break
where torch breaks them, because minigrad measures its dtype names as torch's.
"""
import pytest

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.torch, pytest.mark.filterwarnings("error::RuntimeWarning")]

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import minigrad  # noqa: E402
from tests.conftest import normalise  # noqa: E402

NAMESPACE = {"np": np, "inf": float("inf"), "nan": float("nan")}


def text(lib, expression: str) -> str:
    return normalise(eval(expression, {"L": lib, "T": lib.tensor, **NAMESPACE}))


def assert_prints_like_torch(expression: str) -> None:
    mine, theirs = text(minigrad, expression), text(torch, expression)
    assert mine == theirs, f"\n--- minigrad:\n{mine}\n--- torch:\n{theirs}"


SCALARS = [
    "T(3.)", "T(3)", "T(True)", "T(-0.0)", "T(0.)", "T(1.5)", "T(1e-5)", "T(1e10)", "T(123456789.)",
    "T(nan)", "T(inf)", "T(-inf)", "T(1.5, dtype=L.float64)", "T(5, dtype=L.int32)", "T(2.5, dtype=L.float16)",
]
VECTORS = [
    "T([1., 2., 3.])", "T([1, 2, 3])", "T([True, False])", "T([1.5, -2.25, 3.])", "T([0.1, 0.2])",
    "T([-1., -2.])", "T([-1.5, 2.])", "T([-0.0, 1.0])", "T([-0.0, 1.5])", "T([0., 0.])",
    "T([-12345678901, 2])", "T(list(range(-5, 30)))", "T([True] * 30)",
]
SCIENTIFIC = [
    "T([1e-5, 1.])", "T([1e-4, 1.])", "T([1e-3, 1.])", "T([1., 1000.])", "T([1., 1001.])", "T([1.5, 1000.5])",
    "T([1e8, 1.])", "T([1e9, 2e9])", "T([1e-9, 2e-9])", "T([1.5e-9, 2e-9])", "T([123456.7, 0.001])",
    "T([0.5, 12345678.9])", "T([99999999.])", "T([100000000.])", "T([100000001.])", "T([1.0, 2.0, 1.0e-4])",
    "T([1.0e-4])", "T([0.9e-4])", "T([0., 1e-8])", "T([65504.], dtype=L.float16)", "T([1e-7], dtype=L.float16)",
    "L.arange(30.) * 1e6", "L.arange(60.).reshape(3, 20) * 1e-5", "L.arange(26) * 123456789",
]
NON_FINITE = [
    "T([nan, 1.])", "T([nan, 1.5])", "T([inf, -inf, nan])", "T([inf, 1.])", "T([inf, 1.5])", "T([-inf, 1e-8])",
    "T([[nan, 1.], [inf, -2.]])", "T([nan, 1e10, 1e-10])",
]
MATRICES = [
    "T([[1., 2.], [3., 4.]])", "T([[1, 2], [3, 4]])", "T([[1.5, 2.], [3., -4.]])", "T([[True, False], [False, True]])",
    "T([[[1., 2.], [3., 4.]], [[5., 6.], [7., 8.]]])", "T([[[[1.]]]])", "T([[[[1., 2.]], [[3., 4.]]]])",
    "L.arange(20.).reshape(2, 10) / 3", "L.arange(24).reshape(2, 3, 4)",
]
DTYPES = [
    "T([1., 2.], dtype=L.float64)", "T([1.5], dtype=L.float64)", "T([1, 2], dtype=L.int32)",
    "T([1, 2], dtype=L.int16)", "T([1, 2], dtype=L.int8)", "T([1, 2], dtype=L.uint8)", "T([1, 2], dtype=L.float16)",
    "T([1.1, 2], dtype=L.float16)", "L.arange(6, dtype=L.int32)", "L.arange(25, dtype=L.int32)",
    "L.arange(26, dtype=L.int32)", "L.arange(27, dtype=L.int32)",
]
EMPTY = [
    "T([])", "T([], dtype=L.int64)", "T([], dtype=L.float64)", "T([], dtype=L.bool)", "T([[]])", "T([[], []])",
    "L.zeros(0, 3)", "L.zeros(2, 0, 3)", "L.zeros(0, dtype=L.int32)", "T([], requires_grad=True)",
    "L.zeros(0, 3, dtype=L.float64, requires_grad=True)",
]
SUMMARISED = [
    "L.arange(1001)", "L.arange(1000)", "L.arange(1001.)", "L.arange(2000).reshape(40, 50)",
    "L.arange(2000.).reshape(40, 50)", "L.arange(2000.).reshape(4, 10, 50)", "L.arange(2000.).reshape(5, 400)",
    "L.arange(2000.).reshape(400, 5)", "L.arange(2000.).reshape(2, 1000)", "L.arange(1001.) / 7",
    "L.ones(1001, dtype=L.bool)", "L.ones(3, 1001)", "L.ones(1001, 1)", "L.ones(7, 200)", "L.ones(2, 3, 200)",
]
WRAPPED = ["L.arange(100.) / 7", "L.arange(100)", "L.arange(40.) / 3 - 5", "L.ones(2, 3, 40) / 3"]
SUFFIXES = [
    "T([1., 2.], requires_grad=True)", "T(1., requires_grad=True)", "T([1., 2.], requires_grad=True) * 2",
    "T([1., 2.], requires_grad=True).sum()", "T([1., 2.], dtype=L.float64, requires_grad=True)",
    "T([1., 2.], dtype=L.float64, requires_grad=True) * 2", "L.arange(18.).requires_grad_()",
    "L.arange(19.).requires_grad_()", "L.arange(20.).requires_grad_()", "L.arange(15.).requires_grad_() * 1.5",
    "L.arange(16., dtype=L.float64).requires_grad_() * 1.5", "L.arange(14., dtype=L.float64).requires_grad_() * 1.5",
    "L.arange(13., dtype=L.float64).requires_grad_() / 7", "L.arange(10., dtype=L.float64).requires_grad_() / 7",
    "L.arange(9., dtype=L.float64).requires_grad_() / 7", "L.ones(3, 3, requires_grad=True).mean()",
    "T([[1.]], requires_grad=True).expand(2, 3)", "T([44399139.96466691, -36044017.09908981], dtype=L.float64)",
    "T([0.0001962, 0.001193, 0.001264], dtype=L.float16, requires_grad=True) * 1",
]
PARAMETERS = [
    "L.nn.Parameter(T([1., 2.]))", "L.nn.Parameter(T([1., 2.]), requires_grad=False)",
    "L.nn.Parameter(L.zeros(2, 3, dtype=L.float64))",
]


@pytest.mark.parametrize("expression", SCALARS + VECTORS + SCIENTIFIC + NON_FINITE + MATRICES + DTYPES + EMPTY
                         + SUMMARISED + WRAPPED + SUFFIXES + PARAMETERS)
def test_repr_is_torchs(expression):
    assert_prints_like_torch(f"repr({expression})")


@pytest.mark.parametrize("expression", ["T([1., 2.])", "T([1., 2.], requires_grad=True) + 1", "T(2)",
                                        "L.arange(2000.).reshape(40, 50)"])
def test_str_is_repr(expression):
    assert_prints_like_torch(f"str({expression})")
    assert_prints_like_torch(f"print({expression}) or ''")


@pytest.mark.parametrize("expression", [
    "T([1., 2.]).shape", "L.zeros(2, 3).shape", "L.zeros(()).shape", "L.Size([2, 3])", "L.Size([])",
    "L.Size([5])", "L.zeros(2, 3).size()", "L.float32", "L.float64", "L.int64", "L.bool", "L.uint8",
    "L.float16", "L.float", "L.double", "L.long", "L.half", "L.int", "T([1., 2.]).dtype",
    "[T(1.), T(2)]", "(T([1, 2]), T([1.5]))", "{'w': T([1.5])}",
])
def test_reprs_of_shapes_dtypes_and_containers(expression):
    assert_prints_like_torch(f"repr({expression})")
    assert_prints_like_torch(f"str({expression})")


@pytest.mark.parametrize("spec", ["", ".2f", ".3e", ">10"])
def test_format_of_0d_tensors_formats_the_number(spec):
    assert_prints_like_torch(f"format(T(1.5), {spec!r})")


def test_format_of_1d_tensor_without_spec():
    assert_prints_like_torch("f'{T([1.5, 2.0])}'")


def test_subclasses_print_their_name():
    def show(lib):
        class Tagged(lib.Tensor):
            pass

        t = lib.Tensor._make_subclass(Tagged, lib.tensor([1.0, 2.0]), True)

        class MyParameter(lib.nn.Parameter):
            pass

        return normalise(repr(t)) + "\n" + normalise(repr(MyParameter(lib.tensor([1.0]))))

    assert show(minigrad) == show(torch)


DTYPE_NAMES = ["float16", "float32", "float64", "int32", "int64", "bool"]


@settings(max_examples=120, deadline=None)
@given(
    values=hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=5),
                      elements=st.floats(allow_nan=True, allow_infinity=True, width=64)),
    exponent=st.integers(-12, 12),
    dtype=st.sampled_from(DTYPE_NAMES),
    graph=st.sampled_from(["none", "leaf", "result"]),
)
def test_random_arrays_print_like_torch(values, exponent, dtype, graph):
    with np.errstate(all="ignore"):
        scaled = values * 10.0**exponent
        if dtype in ("int32", "int64"):
            scaled = np.nan_to_num(scaled, posinf=7, neginf=-7).clip(-1e12, 1e12)
        array = scaled.astype(dtype)
    grad = graph != "none" and dtype.startswith("float")

    def show(lib):
        t = lib.tensor(array, requires_grad=grad)
        return normalise(repr(t * 1 if grad and graph == "result" else t))

    assert show(minigrad) == show(torch)


@settings(max_examples=40, deadline=None)
@given(values=hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=40),
                         elements=st.floats(-1e4, 1e4, width=32)))
def test_random_wide_arrays_wrap_like_torch(values):
    assert normalise(repr(minigrad.tensor(values))) == normalise(repr(torch.tensor(values)))
