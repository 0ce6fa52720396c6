"""dtypes and type promotion against torch: promote_types, result_type, and the dtype ops really give.

Every pair of the nine dtypes, as tensors with dimensions, 0-d tensors and Python numbers on either
side, through + * / and comparisons: the result's dtype must be torch's.
"""
import itertools
import operator

import pytest

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.torch, pytest.mark.filterwarnings("error::RuntimeWarning")]

import numpy as np  # noqa: E402

import minigrad  # noqa: E402
from minigrad import _dtype  # noqa: E402
from tests.conftest import normalise  # noqa: E402

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
OPS = {"+": operator.add, "*": operator.mul, "/": operator.truediv, "<": operator.lt, "==": operator.eq,
       ">=": operator.ge}
# ndim of each operand: 1 = has dimensions, 0 = 0-d tensor, -1 = Python number
PLACES = [(1, 1), (1, 0), (0, 1), (0, 0)]
SCALARS = [True, 2, 2.5]


def ones(lib, name: str, ndim: int):
    d = getattr(lib, name)
    return lib.ones((2,) if ndim else (), dtype=d)


def name_of(d) -> str:
    return str(d).split(".")[-1]


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_promote_types_is_torchs(a, b):
    mine = _dtype.promote_types(getattr(minigrad, a), getattr(minigrad, b))
    assert name_of(mine) == name_of(torch.promote_types(getattr(torch, a), getattr(torch, b)))


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_result_type_of_tensors_is_torchs(a, b):
    for da, db in PLACES:
        mine = _dtype.result_type((da, getattr(minigrad, a)), (db, getattr(minigrad, b)))
        theirs = torch.result_type(ones(torch, a, da), ones(torch, b, db))
        assert name_of(mine) == name_of(theirs), (a, da, b, db)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
def test_result_type_with_python_numbers_is_torchs(name, scalar):
    for ndim in (1, 0):
        mine = _dtype.result_type((ndim, getattr(minigrad, name)), (-1, _dtype.scalar_dtype(scalar)))
        assert name_of(mine) == name_of(torch.result_type(ones(torch, name, ndim), scalar))


@pytest.mark.parametrize("a", NAMES)
def test_result_type_of_tensors_and_numbers(a):
    """The function behind a public minigrad.result_type(tensor, other)."""
    for b, (da, db) in itertools.product(NAMES, PLACES):
        mine = _dtype.result_type_of(ones(minigrad, a, da), ones(minigrad, b, db))
        assert name_of(mine) == name_of(torch.result_type(ones(torch, a, da), ones(torch, b, db)))
    for scalar in SCALARS:
        assert name_of(_dtype.result_type_of(ones(minigrad, a, 1), scalar)) == name_of(
            torch.result_type(ones(torch, a, 1), scalar))
        assert name_of(_dtype.result_type_of(scalar, ones(minigrad, a, 0))) == name_of(
            torch.result_type(scalar, ones(torch, a, 0)))


def _result(f, a, b) -> str:
    try:
        return name_of(f(a, b).dtype)
    except Exception as exc:  # noqa: BLE001 - the error is what gets compared
        return f"{type(exc).__name__}: {normalise(exc)}"


@pytest.mark.parametrize("a", NAMES)
def test_operators_between_tensors_give_torchs_dtype(a):
    differences = []
    for b, (da, db), (symbol, f) in itertools.product(NAMES, PLACES, OPS.items()):
        theirs = _result(f, ones(torch, a, da), ones(torch, b, db))
        mine = _result(f, ones(minigrad, a, da), ones(minigrad, b, db))
        if not mine.startswith(theirs):
            differences.append(f"{a}[{da}] {symbol} {b}[{db}]: {mine} != torch's {theirs}")
    assert not differences, "\n".join(differences)


@pytest.mark.parametrize("a", NAMES)
def test_operators_with_python_numbers_give_torchs_dtype(a):
    differences = []
    for scalar, ndim, (symbol, f), left in itertools.product(SCALARS, (1, 0), OPS.items(), (True, False)):
        def run(lib):
            t = ones(lib, a, ndim)
            return _result(f, t, scalar) if left else _result(f, scalar, t)

        theirs, mine = run(torch), run(minigrad)
        if not mine.startswith(theirs):
            differences.append(f"{a}[{ndim}] {symbol} {scalar!r} (tensor on the left: {left}): {mine} != {theirs}")
    assert not differences, "\n".join(differences)


def test_integer_division_and_comparisons():
    for lib in (torch, minigrad):
        assert name_of((lib.tensor([3]) / 2).dtype) == "float32"
        assert name_of((lib.tensor([3], dtype=lib.int8) / lib.tensor(2, dtype=lib.int8)).dtype) == "float32"
        assert name_of((lib.tensor([3.0], dtype=lib.float16) / 2).dtype) == "float16"
        assert name_of((lib.tensor([1], dtype=lib.uint8) < 2.5).dtype) == "bool"


def test_set_default_dtype_changes_python_float_promotion():
    for lib in (torch, minigrad):
        lib.set_default_dtype(lib.float64)
        try:
            assert name_of((lib.tensor([1]) * 2.5).dtype) == "float64"
            assert name_of((lib.tensor([1.0], dtype=lib.float32) * 2.5).dtype) == "float32"
            assert name_of((lib.tensor([1], dtype=lib.int32) / 2).dtype) == "float64"
        finally:
            lib.set_default_dtype(lib.float32)


def test_set_default_dtype_refuses_integers():
    for lib in (torch, minigrad):
        with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
            lib.set_default_dtype(lib.int64)


@pytest.mark.parametrize("name", NAMES)
def test_dtype_names_print_like_torchs(name):
    mine, theirs = getattr(minigrad, name), getattr(torch, name)
    assert repr(mine) == normalise(repr(theirs))
    assert str(mine) == normalise(str(theirs))
    assert mine.is_floating_point == theirs.is_floating_point
    assert mine.itemsize == theirs.itemsize


@pytest.mark.parametrize("alias", ["float", "double", "half", "long", "int"])
def test_dtype_aliases(alias):
    assert repr(getattr(minigrad, alias)) == normalise(repr(getattr(torch, alias)))


def test_python_types_as_dtype_arguments_mean_what_torch_means():
    for lib in (torch, minigrad):
        assert name_of(lib.zeros(1, dtype=float).dtype) == "float64"
        assert name_of(lib.zeros(1, dtype=int).dtype) == "int64"
        assert name_of(lib.zeros(1, dtype=bool).dtype) == "bool"
        assert name_of(lib.zeros(1).to(float).dtype) == "float64"


@pytest.mark.parametrize("np_type", [np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8,
                                     np.uint8, np.bool_])
def test_numpy_dtypes_map_to_torchs(np_type):
    array = np.zeros(2, dtype=np_type)
    assert repr(minigrad.from_numpy(array).dtype) == normalise(repr(torch.from_numpy(array).dtype))


@pytest.mark.parametrize("np_type", [object, np.str_, np.bytes_, np.longdouble, "datetime64[D]"])
def test_unsupported_numpy_dtypes_get_torchs_error(np_type):
    array = np.zeros(2, dtype=np_type)
    with pytest.raises(TypeError) as theirs:
        torch.from_numpy(array)
    with pytest.raises(TypeError) as mine:
        minigrad.from_numpy(array)
    assert str(mine.value).startswith(normalise(theirs.value))


@pytest.mark.parametrize("np_type", [np.uint16, np.uint32, np.uint64, np.complex64, np.complex128])
def test_numpy_dtypes_minigrad_lacks_are_refused_with_a_reason(np_type):
    """torch has these; minigrad keeps to nine dtypes and says so."""
    with pytest.raises(TypeError, match="minigrad has no such dtype"):
        minigrad.from_numpy(np.zeros(2, dtype=np_type))


def test_dtypes_survive_pickling():
    import pickle

    for d in _dtype.ALL:
        assert pickle.loads(pickle.dumps(d)) is d
