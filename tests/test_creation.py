"""Creating tensors (tensor, zeros ... arange, linspace, rand ...) against torch.

Each case is a one-line expression run on both engines with ``L`` bound to the library; the result's
dtype, shape, values (exactly), requires_grad and is_leaf must match, or torch's exception class and
message must be where minigrad's starts. Random values are compared by shape, dtype and range only: the
generators differ (minigrad uses NumPy's PCG64).
"""
import math

import pytest

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.torch, pytest.mark.filterwarnings("error::RuntimeWarning")]

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import minigrad  # noqa: E402
from tests.differential import check  # noqa: E402

EXACT = {"rtol": 0, "atol": 0}


def same(expression: str, **tolerances):
    """Evaluate ``expression`` with L = minigrad, then L = torch, and compare all that is observable."""
    check(lambda L: eval(expression, {"L": L, "T": L.tensor, "np": np}), **(tolerances or EXACT))


# -- tensor(data) -----------------------------------------------------------------------------------------
FROM_PYTHON = [
    "T(3)", "T(3.5)", "T(True)", "T(-0.0)", "T(2**62)", "T([])", "T(())", "T([[]])", "T([[], []])",
    "T([[], [[]]])", "T([1, 2])", "T([1, 2.5])", "T([True, False])", "T([True, 2])", "T([True, 2.5])",
    "T([[True], [False]])", "T(((1, 2), (3, 4)))", "T([[1, 2], (3, 4)])", "T([[1, 2.5], [True, 4]])",
    "T([[[1.5]]])", "T(range(3))", "T([range(2), range(2)])", "T(bytearray(b'ab'))",
    "T([float('inf'), float('-inf'), float('nan')])", "T([1e300])", "T([2**63], dtype=L.float32)",
]
FROM_NUMPY = [
    "T(np.array([1.0, 2.0]))", "T(np.array(2.5))", "T(np.array([[1, 2]], np.int16))",
    "T(np.array([1], np.int8))", "T(np.array([1], np.uint8))", "T(np.array([1], np.int32))",
    "T(np.array([1], np.int64))", "T(np.array([1.5], np.float16))", "T(np.array([1.5], np.float32))",
    "T(np.array([True, False]))", "T(np.zeros((2, 0, 3)))", "T(np.array([1.0, 2.0])[::2])",
    "T(np.float64(2.5))", "T(np.float32(3))", "T(np.float16(2.5))", "T(np.int8(-3))", "T(np.uint8(3))",
    "T(np.int64(3))", "T(np.bool_(False))", "T([np.float64(1.5), np.float64(2)])",
    "T([np.int32(1), np.int32(2)])", "T([np.uint8(1), np.int8(2)])", "T([np.float16(1), 2])",
    "T([np.float16(1), 2.5])", "T([np.float64(1), 2.5])", "T([np.bool_(True), 2.5])",
    "T([np.array([1.5]), [2]])", "T([np.array([1, 2]), [3, 4.5]])",
]
FROM_TENSORS = [
    "T([T(1.5), T(2.0)])", "T([T(1), T(2)])", "T([T(1), 2.5])", "T([T(1.0, dtype=L.float64)])",
    "T([T(1, dtype=L.int32), T(2, dtype=L.int32)])", "T([T(1, dtype=L.uint8), T(2, dtype=L.int8)])",
    "T([T(1, dtype=L.float16), 2])", "T([[1.0, 2.0], T([3.0, 4.0])])", "T([T(True)], dtype=L.int64)",
]
WITH_DTYPE = [
    "T([1, 2], dtype=L.float64)", "T([0, 2, -1], dtype=L.bool)", "T([1.7, -2.7], dtype=L.int8)",
    "T([1, 2], dtype=float)", "T([1.5], dtype=int)", "T([1], dtype=bool)", "T([1, 2], dtype=L.float16)",
    "T(True, dtype=L.float32)", "T(2.5, dtype=L.bool)", "T([0.0, -0.0, 0.1, float('nan')], dtype=L.bool)",
    "T(3.7, dtype=L.int64)", "T(-3.7, dtype=L.int64)", "T(-5, dtype=L.uint8)", "T(-255, dtype=L.uint8)",
    "T([[], []], dtype=L.int64)", "T([1e300], dtype=L.float16)", "T([np.float64(1.5)], dtype=L.int64)",
    "T(np.array([1.0, 2.0]), dtype=L.int32)", "T(np.array([1.5, -2.5]), dtype=L.uint8)",
    "T(np.array([300]), dtype=L.uint8)", "T(T([1.0, 2.0]), dtype=L.int64)",
    "T([1, 2], dtype=L.float32, requires_grad=True)", "T([1.0, 2.0], requires_grad=True)",
    "T(1.0, requires_grad=True)", "T([[1.5]], dtype=L.float64, requires_grad=True)",
    "T([1.5], device='cpu')",
]
BAD_DATA = [
    "T('a')", "T(b'ab')", "T([b'ab'])", "T(['a', 'b'])", "T([['a']])", "T([1, 'a'])", "T(['a', 1])",
    "T([[1], 'ab'])", "T([[1, 2], [3, 'a']])", "T([1, 'a'], dtype=L.float32)", "T(['a', 1], dtype=L.float32)",
    "T(None)", "T([None])", "T([1, None])", "T([[1], None])", "T([1, None], dtype=L.float32)",
    "T([1, None], dtype=L.int64)", "T([1, None], dtype=L.bool)", "T(None, dtype=L.float32)",
    "T(object())", "T([object()])", "T([object()], dtype=L.float32)", "T({1: 2})", "T({1, 2})",
    "T([{1, 2}])", "T(x for x in range(2))",
    "T(np.array([1, 'a'], dtype=object))", "T(np.array([1, 2], dtype=object))", "T(np.array(['a']))",
    "T(np.array([b'a']))", "T(np.longdouble(3))", "T(np.array(['2020-01-01'], dtype='datetime64[D]'))",
    "L.from_numpy(np.array([1], dtype=object))", "L.from_numpy([1, 2])",
]
RAGGED = [
    "T([[1, 2], [3]])", "T([[1], [2, 3]])", "T([[1, 2], [3]], dtype=L.float32)", "T([1, [2]])",
    "T([1.0, [2]])", "T([True, [2]])", "T([[1], 2])", "T([[1], 2.0])", "T([[[1]], [2]])",
    "T([[[1]], [[2, 3]]])", "T([[[1, 2], [3, 4]], [[1, 2], [3]]])", "T([[[1, 2], [3, 4]], [[1, 2]]])",
    "T([[1], []])", "T([[1], np.array([2, 3])])", "T([np.array(1.5), 2])",
    "T([T([1.0, 2.0]), T([3.0])])", "T([T([1.0, 2.0]), [3.0, 4.0]])", "T([T(1.5), [2.0]])",
    "T([[2.0], T(1.5)])", "T([T([1.0, 2.0]), 3.0])", "T([T([[1, 2]]), T([[3, 4]])])",
]
BAD_VALUES = [
    "T([1], dtype=L.uint8, requires_grad=True)", "T([1, 2], requires_grad=True)", "T(True, requires_grad=True)",
    "T(np.array([1, 2]), requires_grad=True)", "T([1.0, 2.0], dtype=L.int64, requires_grad=True)",
    "T([300], dtype=L.uint8)", "T([-256], dtype=L.uint8)", "T(128, dtype=L.int8)", "T(-129, dtype=L.int8)",
    "T([300.5], dtype=L.uint8)", "T([-1.5], dtype=L.uint8)", "T([1e10], dtype=L.int32)",
    "T([float('nan')], dtype=L.int64)", "T(float('inf'), dtype=L.int64)", "T([np.int32(300)], dtype=L.uint8)",
    "T([2**63])", "T(2**1100)", "T([2**1100], dtype=L.float32)", "T([np.bool_(True), 2])",
    "T([np.float32(1.5)], dtype=L.int64)", "T(np.float32(1.5), dtype=L.int64)",
    "T([np.float32(1.5)], dtype=L.bool)", "T([T(1.5)], dtype=L.int64)", "T([T(1.0)], dtype=L.bool)",
    "T([1.5], dtype='float32')", "T([1.5], dtype=np.float64)", "T([1.5], requires_grad=1)",
    "T([1.5], requires_grad=None)", "T([1.5], 'cpu')",
]


@pytest.mark.parametrize("expression", FROM_PYTHON + FROM_NUMPY + FROM_TENSORS + WITH_DTYPE)
def test_tensor_from_data(expression):
    same(expression)


@pytest.mark.parametrize("expression", BAD_DATA + RAGGED + BAD_VALUES)
def test_tensor_refuses_what_torch_refuses(expression):
    same(expression)


@pytest.mark.parametrize("expression", [
    "T(T([1.0, 2.0], requires_grad=True))", "T(T([1.0, 2.0], requires_grad=True) * 2)",
    "T(T([1, 2]), requires_grad=True)", "T(T([1.0, 2.0]), requires_grad=True)",
    "T([T(1.5, requires_grad=True), T(2.0)])",
])
def test_tensor_from_a_tensor_warns_and_copies(expression):
    same(expression)


def test_tensor_copies_its_data():
    source = np.array([1.0, 2.0])
    t = minigrad.tensor(source)
    source[0] = 5.0
    assert t.tolist() == [1.0, 2.0]
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning):
        y = minigrad.tensor(x)
    y += 1
    assert x.tolist() == [1.0, 2.0] and y.is_leaf and not y.requires_grad


def test_tensor_follows_the_default_dtype():
    for lib in (torch, minigrad):
        lib.set_default_dtype(lib.float64)
        try:
            assert str(lib.tensor([1.5]).dtype).endswith("float64")
            assert str(lib.tensor([]).dtype).endswith("float64")
            assert str(lib.tensor([1, 2]).dtype).endswith("int64")
            assert str(lib.zeros(2).dtype).endswith("float64")
            assert str(lib.arange(0.5).dtype).endswith("float64")
        finally:
            lib.set_default_dtype(lib.float32)


NUMBERS = st.one_of(
    st.integers(-(2**40), 2**40), st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
)


@st.composite
def nested_lists(draw):
    """Rectangular nested lists of Python numbers, mixed types included."""
    shape = draw(st.lists(st.integers(0, 3), min_size=0, max_size=3))
    n = math.prod(shape)
    flat = draw(st.lists(NUMBERS, min_size=n, max_size=n))

    def build(items, dims):
        if not dims:
            return items.pop()
        return [build(items, dims[1:]) for _ in range(dims[0])]

    return build(flat[::-1], shape)


@settings(max_examples=60, deadline=None)
@given(data=nested_lists(), dtype=st.sampled_from([None, "float32", "float64", "int64", "bool", "float16"]))
def test_tensor_from_random_nested_lists(data, dtype):
    def make(L):
        d = None if dtype is None else getattr(L, dtype)
        return L.tensor(data, dtype=d)

    check(make, **EXACT)


# -- factories by shape ----------------------------------------------------------------------------------------
SHAPED = [
    "L.zeros(2, 3)", "L.zeros((2, 3))", "L.zeros([2, 3])", "L.zeros(())", "L.zeros([])", "L.zeros(0)",
    "L.zeros(L.Size([2, 3]))", "L.zeros(size=(2, 3))", "L.zeros(np.int64(2), np.int32(3))",
    "L.zeros(L.tensor([2]))", "L.zeros((L.tensor(2), 3))", "L.zeros(2, dtype=L.int64)",
    "L.zeros(2, dtype=L.bool)", "L.zeros(2, dtype=float)", "L.zeros(2, dtype=int)",
    "L.zeros(2, requires_grad=True)", "L.zeros(2, dtype=L.float64, requires_grad=True)",
    "L.zeros(2, device='cpu')", "L.ones(2, 3)", "L.ones((2, 3), dtype=L.float16)",
    "L.ones(3, requires_grad=True)", "L.ones(2, dtype=L.uint8)", "L.empty(0)",
    "L.full((2,), 3)", "L.full((2,), 3.0)", "L.full((2,), True)", "L.full((2,), 3, dtype=L.float32)",
    "L.full([2, 2], 1.5, requires_grad=True)", "L.full((), 7)", "L.full((2,), L.tensor(3.0))",
    "L.full((2,), np.float64(3.0))", "L.full((2,), np.int32(3))", "L.full((2,), -1, dtype=L.uint8)",
    "L.full((2,), 1.5, dtype=L.int64)", "L.full([2], -3.5, dtype=L.int64)", "L.full([2], 1e300, dtype=L.float64)",
    "L.full([2], float('inf'))", "L.full([2], float('nan'), dtype=L.float16)", "L.full([2], 65504.0, dtype=L.float16)",
    "L.full([2], 2.7, dtype=L.bool)", "L.full([2], True, dtype=L.int64)", "L.full([2], np.float32(2.5))",
    "L.full([2], np.bool_(True))", "L.full([2], np.uint8(3))", "L.full([2], L.tensor(True))",
    "L.full([2], L.tensor(3, dtype=L.uint8))", "L.full(size=[2], fill_value=2)",
    "L.eye(3)", "L.eye(2, 3)", "L.eye(3, 2, dtype=L.int64)", "L.eye(0)", "L.eye(2, requires_grad=True)",
    "L.eye(2, dtype=L.bool)", "L.eye(np.int64(2))", "L.eye(L.tensor(2))", "L.eye(2, m=3)", "L.eye(n=2)",
]
SHAPED_BAD = [
    "L.zeros()", "L.ones()", "L.zeros(-1)", "L.zeros(2, -1)", "L.ones(-1)", "L.empty(-1)", "L.rand(-1)",
    "L.randn(2, -1)", "L.full((-1,), 1.0)", "L.zeros(2.5)", "L.ones(2.5)", "L.empty(2.5)", "L.rand(2.5)",
    "L.randn('a')", "L.zeros('a')", "L.zeros(None)", "L.zeros(True)", "L.zeros(L.tensor(2.0))",
    "L.zeros(L.tensor([2, 3]))", "L.zeros((2, 3), 4)", "L.zeros((2,), (3,))", "L.zeros(2, 2.5)",
    "L.zeros(2, None)", "L.zeros((2, 2.5))", "L.zeros([2, 'a'])", "L.full((2, 2.5), 1)",
    "L.zeros(2, dtype='float32')", "L.zeros(2, 3, requires_grad=1)", "L.zeros(2, dtype=L.int64, requires_grad=True)",
    "L.full(2, 3)", "L.full((2,), 'a')", "L.full((2,), None)", "L.full([2], L.tensor([2]))",
    "L.full((2,), 3, requires_grad=True)", "L.full((2,), 300, dtype=L.uint8)", "L.full([2], 128, dtype=L.int8)",
    "L.full([2], -129, dtype=L.int8)", "L.full([2], 300.5, dtype=L.uint8)", "L.full([2], -1.5, dtype=L.uint8)",
    "L.full((2,), float('nan'), dtype=L.int64)", "L.full([2], float('inf'), dtype=L.int32)",
    "L.full([2], 1e10, dtype=L.int16)", "L.full([2], 1e10, dtype=L.float16)", "L.full([2], 65520.0, dtype=L.float16)",
    "L.full([2], 1e300)", "L.full([2], 3.40282357e38)", "L.full([2], 2**63)", "L.full([2], 2**70, dtype=L.float32)",
    "L.eye(-1)", "L.eye(2, -1)", "L.eye(2.5)", "L.eye((2, 3))", "L.eye(True)", "L.eye(None)",
]


@pytest.mark.parametrize("expression", SHAPED + SHAPED_BAD)
def test_factories_by_shape(expression):
    same(expression)


def test_empty_has_the_shape_and_dtype_asked_for():
    for lib in (torch, minigrad):
        t = lib.empty((2, 3), dtype=lib.int32, requires_grad=False)
        assert tuple(t.shape) == (2, 3) and str(t.dtype).endswith("int32") and t.is_leaf


LIKE = [
    "L.zeros_like(L.ones(2, 3))", "L.zeros_like(L.ones(2, 3, dtype=L.int64))", "L.zeros_like(L.ones(2), dtype=L.float64)",
    "L.zeros_like(L.ones(2), requires_grad=True)", "L.zeros_like(L.ones(2, requires_grad=True))",
    "L.zeros_like(L.tensor(3.0))", "L.ones_like(L.ones(2, requires_grad=True) * 2)", "L.ones_like(L.arange(3))",
    "L.ones_like(L.ones(2), dtype=float)", "L.full_like(L.ones(2), 7)", "L.full_like(L.arange(2), 7.5)",
    "L.full_like(L.arange(2), 7.5, dtype=L.float32)", "L.full_like(L.ones(2), 7, requires_grad=True)",
    "L.full_like(L.ones(2), 2.5, dtype=L.int64)", "L.full_like(L.ones(2, dtype=L.int64), 300)",
    "L.full_like(L.ones(2, dtype=L.uint8), -1)", "L.empty_like(L.ones(2, 3, dtype=L.float64)).shape",
    "L.zeros_like(L.ones(2), dtype=L.int64, requires_grad=True)", "L.ones_like(L.arange(3), requires_grad=True)",
    "L.full_like(L.ones(2, dtype=L.uint8), 300)", "L.full_like(L.ones(2), 'a')", "L.full_like([1], 2)",
    "L.ones_like(2)", "L.zeros_like([1, 2])", "L.rand_like(L.arange(3))", "L.randn_like(L.arange(3))",
]


@pytest.mark.parametrize("expression", LIKE)
def test_like_factories(expression):
    same(expression)


# -- ranges ---------------------------------------------------------------------------------------------------
ARANGE = [
    "L.arange(5)", "L.arange(1, 5)", "L.arange(1, 10, 3)", "L.arange(5, 0, -1)", "L.arange(5, 0, -2)",
    "L.arange(10, 0, -3)", "L.arange(-10, -1, 4)", "L.arange(0, 1, 0.5)", "L.arange(1, 2.5, 0.5)",
    "L.arange(0.5)", "L.arange(5.0)", "L.arange(1, 5.0)", "L.arange(-1, 1, 0.25)", "L.arange(0, 0)",
    "L.arange(5, 5)", "L.arange(0, 10, 3, dtype=L.float32)", "L.arange(5, dtype=L.int32)",
    "L.arange(5, dtype=L.float16)", "L.arange(5, dtype=L.uint8)", "L.arange(5.0, requires_grad=True)",
    "L.arange(5, dtype=L.float32, requires_grad=True)", "L.arange(L.tensor(5))", "L.arange(L.tensor(5.0))",
    "L.arange(L.tensor(2, dtype=L.int32))", "L.arange(L.tensor(5), dtype=L.float64)", "L.arange(np.int64(3))",
    "L.arange(np.float32(1.5))", "L.arange(np.float64(2.5))", "L.arange(True)", "L.arange(True, 4)",
    "L.arange(0, 3, True)", "L.arange(0, 10, step=2)", "L.arange(start=1, end=3)", "L.arange(end=3)",
    "L.arange(start=0, end=3, step=1)", "L.arange(0, 1.5, step=0.5)", "L.arange(0.5, 3, dtype=L.int64)",
    "L.arange(0, 10, 2.5, dtype=L.int64)", "L.arange(0, 10, 3, dtype=L.uint8)", "L.arange(0, 300, 100, dtype=L.uint8)",
    "L.arange(-2, 2, dtype=L.uint8)", "L.arange(10, 0, -3, dtype=L.int32)", "L.arange(0.5, dtype=L.int64)",
    "L.arange(2.5, 3, dtype=L.int64)", "L.arange(1, 2.9, dtype=L.int64)", "L.arange(0, 1, float('inf'))",
    "L.arange(1e20, 1e20 + 1)", "L.arange(0, 2**62, 2**60)",
    "L.arange(0, 1, 0.1, dtype=L.float16)", "L.arange(0, 2, 0.3, dtype=L.float16)",
    # errors
    "L.arange(1, 0, 0.1)", "L.arange(0, 5, -1)", "L.arange(0, 5, 0)", "L.arange(0, 1, float('nan'))",
    "L.arange(0, 1, 0.1, dtype=L.int64)", "L.arange(0, 2.5, 0.5, dtype=L.int64)", "L.arange(5, dtype=L.bool)",
    "L.arange(5, requires_grad=True)", "L.arange(float('inf'))", "L.arange(float('nan'))",
    "L.arange(0, float('inf'), 1)", "L.arange(float('-inf'), 0)", "L.arange(L.tensor([5]))", "L.arange('a')",
    "L.arange(None)",
]


@pytest.mark.parametrize("expression", ARANGE)
def test_arange(expression):
    same(expression)


@settings(max_examples=40, deadline=None)
@given(start=st.floats(-50, 50), step=st.floats(1e-3, 10), count=st.integers(0, 200), down=st.booleans(),
       dtype=st.sampled_from(["float32", "float64"]))
def test_arange_with_float_steps_has_torchs_length(start, step, count, down, dtype):
    """The length is exact. Values may differ from torch's in the last bits: torch computes them in SIMD
    chunks from a rounded base, minigrad as start + i * step, rounded once."""
    step = -step if down else step
    end = start + step * count
    mine = minigrad.arange(start, end, step, dtype=getattr(minigrad, dtype)).numpy()
    theirs = torch.arange(start, end, step, dtype=getattr(torch, dtype)).numpy()
    assert mine.dtype == theirs.dtype and mine.shape == theirs.shape
    scale = max(abs(start), abs(end), 1.0)
    np.testing.assert_allclose(mine, theirs, rtol=0, atol=4 * float(np.spacing(theirs.dtype.type(scale))))


def test_arange_of_tenths_has_ten_elements():
    assert minigrad.arange(0, 1, 0.1).shape == (10,)
    assert minigrad.arange(0, 1, 0.1).tolist() == torch.arange(0, 1, 0.1).tolist()


LINSPACE = [
    "L.linspace(0, 1, 5)", "L.linspace(0, 1, 1)", "L.linspace(3, 1, 1)", "L.linspace(0, 1, 0)",
    "L.linspace(1, 0, 4)", "L.linspace(-5, 5, 7)", "L.linspace(0, 1, 7)", "L.linspace(0.1, 1.3, 9)",
    "L.linspace(0, 1, 5, dtype=L.float64)", "L.linspace(0, 1e-3, 17, dtype=L.float64)", "L.linspace(0, 1, steps=3)",
    "L.linspace(start=0, end=1, steps=5)", "L.linspace(0, 1, 3, requires_grad=True)",
    "L.linspace(L.tensor(0.0), L.tensor(1.0), 3)", "L.linspace(0, 1, np.int64(3))", "L.linspace(0, 1, L.tensor(3))",
    "L.linspace(0, 10, 5, dtype=L.int64)", "L.linspace(0, 10, 4, dtype=L.int64)", "L.linspace(0, 9, 4, dtype=L.int32)",
    "L.linspace(0, 10, 7, dtype=L.uint8)", "L.linspace(-10, 10, 6, dtype=L.int8)", "L.linspace(2.5, 3, 3, dtype=L.int64)",
    "L.linspace(0, 1, 3, dtype=L.uint8)", "L.linspace(-1, 5, 3, dtype=L.uint8)", "L.linspace(0, 1000, 21, dtype=L.int16)",
    "L.linspace(0, 1, 5, dtype=L.float16)", "L.linspace(0, 5000, 3, dtype=L.float16)",
    "L.linspace(0.1, 0.7, 13, dtype=L.float16)", "L.linspace(-3.3, 7.1, 11, dtype=L.float16)",
    "L.linspace(float('nan'), 1, 3)", "L.linspace(0, float('inf'), 3)",
    # errors
    "L.linspace(0, 1, -1)", "L.linspace(L.tensor([0.0]), 1, 3)", "L.linspace(0, 1, 5, dtype=L.bool)",
    "L.linspace(0, 5, 5, dtype=L.int64, requires_grad=True)", "L.linspace(-1, 300, 3, dtype=L.uint8)",
]


@pytest.mark.parametrize("expression", LINSPACE)
def test_linspace(expression):
    same(expression)


@settings(max_examples=60, deadline=None)
@given(start=st.floats(-1e3, 1e3), end=st.floats(-1e3, 1e3), steps=st.integers(2, 300),
       dtype=st.sampled_from(["float32", "float64"]))
def test_linspace_values_are_torchs_to_the_bit(start, end, steps, dtype):
    check(lambda L: L.linspace(start, end, steps, dtype=getattr(L, dtype)), **EXACT)


# -- random -----------------------------------------------------------------------------------------------------
RANDOM_SHAPES = [
    "L.rand(2, 3).shape", "L.rand((2, 3)).shape", "L.rand(()).shape", "L.rand(2, dtype=L.float64).dtype",
    "L.rand(2, dtype=L.float16).dtype", "L.rand(2, requires_grad=True).requires_grad",
    "L.rand(2, requires_grad=True).is_leaf", "L.randn(2, 3).shape", "L.randn(2, dtype=L.float64).dtype",
    "L.randn(2, dtype=L.float16).dtype", "L.randn(2, requires_grad=True).requires_grad",
    "L.rand_like(L.ones(2, 3)).shape", "L.randn_like(L.ones(2, dtype=L.float64)).dtype",
    "L.rand_like(L.ones(2), dtype=L.float64).dtype",
    "L.randint(3, (2,)).shape", "L.randint(3, (2,)).dtype", "L.randint(1, 3, (2, 2)).shape",
    "L.randint(3, size=(2,)).shape", "L.randint(3, [2, 2]).shape", "L.randint(low=1, high=3, size=(2,)).shape",
    "L.randint(high=3, size=(2,)).shape", "L.randint(3, (2,), dtype=L.float32).dtype", "L.randint(3, ()).shape",
    "L.randint(3, (0,))", "L.randint(-3, 3, (2,), dtype=L.int8).dtype", "L.randint(np.int64(5), (2,)).dtype",
    "L.randint(L.tensor(5), (2,)).dtype", "L.randint(3, (2,), dtype=L.float32, requires_grad=True).requires_grad",
    "L.randperm(4).dtype", "L.randperm(0)", "L.randperm(4, dtype=L.float32).dtype", "L.randperm(3, dtype=L.float16).dtype",
    "L.randperm(256, dtype=L.uint8).dtype", "L.randperm(np.int64(3)).shape",
    # errors
    "L.rand(2, dtype=L.int64)", "L.rand(2, dtype=L.bool)", "L.rand(2, dtype=L.uint8)", "L.randn(2, dtype=L.int64)",
    "L.randn(2, dtype=L.int32)", "L.randn(2, dtype=L.bool)", "L.randint(3, (2,), requires_grad=True)",
    "L.randint(3, 2)", "L.randint(3, 5)", "L.randint(0, (2,))", "L.randint(3, 3, (2,))", "L.randint(3, 2, (2,))",
    "L.randint(1.5, (2,))", "L.randint(True, (2,))", "L.randint(3, (-1,))", "L.randint(3, (2,), dtype=L.bool)",
    "L.randint(-3, 3, (2,), dtype=L.uint8)", "L.randint(0, 300, (2,), dtype=L.uint8)",
    "L.randint(0, 200, (2,), dtype=L.int8)", "L.randint(0, 2**40, (2,), dtype=L.int32)",
    "L.randperm(-1)", "L.randperm(3, dtype=L.bool)", "L.randperm(3, requires_grad=True)", "L.randperm(2.5)",
    "L.randperm(257, dtype=L.uint8)", "L.randperm(True)",
]


@pytest.mark.parametrize("expression", RANDOM_SHAPES)
def test_random_factories_shapes_dtypes_and_errors(expression):
    same(expression)


def test_random_values_lie_where_torch_puts_them():
    for dtype in (minigrad.float16, minigrad.float32, minigrad.float64):
        u = minigrad.rand(10_000, dtype=dtype).numpy()
        assert u.min() >= 0 and u.max() < 1 and 0.45 < u.mean() < 0.55
    z = minigrad.randn(10_000, dtype=minigrad.float64).numpy()
    assert abs(z.mean()) < 0.05 and 0.95 < z.std() < 1.05
    k = minigrad.randint(-2, 3, (10_000,)).numpy()
    assert set(np.unique(k)) == {-2, -1, 0, 1, 2}
    assert sorted(minigrad.randperm(50).tolist()) == list(range(50))


@pytest.mark.parametrize("maker", [
    lambda: minigrad.rand(3, 2), lambda: minigrad.randn(4), lambda: minigrad.randint(0, 100, (5,)),
    lambda: minigrad.randperm(10), lambda: minigrad.rand_like(minigrad.ones(3)),
    lambda: minigrad.zeros(3).uniform_(-1, 1), lambda: minigrad.zeros(3).normal_(0, 2),
])
def test_manual_seed_reproduces_the_same_numbers(maker):
    minigrad.manual_seed(1234)
    first = maker().tolist()
    again = maker().tolist()
    minigrad.manual_seed(1234)
    assert maker().tolist() == first
    assert again != first
    minigrad.manual_seed(4321)
    assert maker().tolist() != first


def test_from_numpy_shares_memory_and_as_tensor_avoids_copies():
    array = np.array([1.0, 2.0])
    t = minigrad.from_numpy(array)
    array[0] = 7.0
    assert t.tolist() == [7.0, 2.0]
    assert minigrad.as_tensor(t) is t
    shared = minigrad.as_tensor(array)
    array[1] = 9.0
    assert shared.tolist() == [7.0, 9.0]
    same("L.as_tensor([1, 2])")
    same("L.as_tensor([1, 2], dtype=L.float32)")
    same("L.as_tensor(np.array([1.0, 2.0]))")
    same("L.from_numpy(np.array([1, 2], np.int16))")
