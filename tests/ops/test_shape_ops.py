"""reshape/view, transpose/permute/T/mT, squeeze/unsqueeze, expand, cat/stack against torch."""
import pytest

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.torch, pytest.mark.filterwarnings("error::RuntimeWarning")]

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.ops._differential import both, check, float_dtypes, seeds, shapes, values  # noqa: E402

SETTINGS = settings(max_examples=15, deadline=None)


@st.composite
def reshapes(draw):
    """A shape and another with the same number of elements, maybe with one -1 in it."""
    shape = draw(shapes(max_dims=4))
    n = int(np.prod(shape))
    target = []
    rest = n
    for _ in range(draw(st.integers(0, 3))):
        factors = [f for f in range(1, rest + 1) if rest % f == 0]
        f = draw(st.sampled_from(factors))
        target.append(f)
        rest //= f
    if rest != 1 or not target or draw(st.booleans()):
        target.append(rest)
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return shape, tuple(target)


@SETTINGS
@given(rs=reshapes(), dtype=float_dtypes, seed=seeds, as_tuple=st.booleans())
def test_reshape_and_view(rs, dtype, seed, as_tuple):
    shape, target = rs
    x = values(seed, shape).astype(dtype)
    args = (target,) if as_tuple else target
    check(lambda lib, t: t.reshape(*args), x)
    check(lambda lib, t: t.view(*args), x)
    check(lambda lib, t: lib.reshape(t, target), x)


@SETTINGS
@given(rs=reshapes(), seed=seeds)
def test_reshape_of_a_transposed_tensor(rs, seed):
    shape, target = rs
    if len(shape) < 2:
        return
    x = values(seed, shape)
    check(lambda lib, t: t.transpose(0, 1).reshape(target), x)
    check(lambda lib, t: t.transpose(0, 1).contiguous().view(target), x)


@pytest.mark.parametrize("shape", [(2, 3, 4), (5,), (), (1, 1)], ids=str)
def test_flatten_and_view_as(shape):
    x = values(0, shape)
    check(lambda lib, t: t.flatten(), x)
    check(lambda lib, t: lib.flatten(t, 0), x)
    if len(shape) == 3:
        check(lambda lib, t: t.flatten(1), x)
        check(lambda lib, t: t.flatten(0, -2), x)
    check(lambda lib, t, o: t.view_as(o), x, both(values(1, (int(np.prod(shape)),)), requires_grad=False))
    check(lambda lib, t, o: t.reshape_as(o), x, both(values(1, (int(np.prod(shape)),)), requires_grad=False))


@st.composite
def shape_and_two_dims(draw):
    shape = draw(shapes(min_dims=1, max_dims=4))
    n = len(shape)
    return shape, draw(st.integers(-n, n - 1)), draw(st.integers(-n, n - 1))


@SETTINGS
@given(sd=shape_and_two_dims(), dtype=float_dtypes, seed=seeds)
def test_transpose(sd, dtype, seed):
    shape, d0, d1 = sd
    x = values(seed, shape).astype(dtype)
    check(lambda lib, t: t.transpose(d0, d1), x)
    check(lambda lib, t: lib.transpose(t, d0, d1) * 2, x)


@SETTINGS
@given(shape=shapes(max_dims=4), data=st.data(), dtype=float_dtypes, seed=seeds)
def test_permute(shape, data, dtype, seed):
    n = len(shape)
    order = data.draw(st.permutations(range(n)))
    order = [d - n if data.draw(st.booleans()) else d for d in order]
    x = values(seed, shape).astype(dtype)
    check(lambda lib, t: t.permute(*order), x)
    check(lambda lib, t: t.permute(order), x)
    check(lambda lib, t: lib.permute(t, tuple(order)), x)


@pytest.mark.filterwarnings("ignore:Tensor.T is deprecated on 0-D tensors")
@pytest.mark.parametrize("shape", [(), (3, 4), (1, 5)], ids=str)
def test_T(shape):
    check(lambda lib, t: t.T, values(0, shape))
    if len(shape) <= 2:
        check(lambda lib, t: t.t(), values(0, shape))


def test_transpose_and_permute_of_0d():
    check(lambda lib, t: t.transpose(0, -1), values(0, ()))
    check(lambda lib, t: t.permute(()), values(0, ()))


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (2, 1, 3, 4)], ids=str)
def test_mT(shape):
    check(lambda lib, t: t.mT, values(0, shape))
    check(lambda lib, t: t.mT @ t, values(0, shape))


# -- squeeze / unsqueeze ------------------------------------------------------------------------------------------
ones_shapes = shapes(max_dims=4, max_side=3).map(lambda s: tuple(1 if v == 3 else v for v in s))


@SETTINGS
@given(shape=ones_shapes, data=st.data(), dtype=float_dtypes, seed=seeds)
def test_squeeze(shape, data, dtype, seed):
    x = values(seed, shape).astype(dtype)
    check(lambda lib, t: t.squeeze(), x)
    check(lambda lib, t: lib.squeeze(t), x)
    n = max(len(shape), 1)
    dim = data.draw(st.integers(-n, n - 1))
    check(lambda lib, t: t.squeeze(dim), x)
    check(lambda lib, t: lib.squeeze(t, dim), x)
    if shape:
        dims = data.draw(st.lists(st.integers(0, len(shape) - 1), unique=True, min_size=1))
        check(lambda lib, t: t.squeeze(tuple(dims)), x)


@SETTINGS
@given(shape=shapes(max_dims=3), data=st.data(), dtype=float_dtypes, seed=seeds)
def test_unsqueeze(shape, data, dtype, seed):
    x = values(seed, shape).astype(dtype)
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    check(lambda lib, t: t.unsqueeze(dim), x)
    check(lambda lib, t: lib.unsqueeze(t, dim), x)


# -- expand ------------------------------------------------------------------------------------------------------------
@st.composite
def expansions(draw):
    """A shape (size-1 dims likely) and a target for expand: new leading dims, -1s, grown 1s."""
    shape = draw(ones_shapes)
    target = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(0, 2)))]
    for s in shape:
        choice = draw(st.sampled_from(["same", "minus1", "grow"]))
        if choice == "minus1":
            target.append(-1)
        elif choice == "grow" and s == 1:
            target.append(draw(st.integers(1, 3)))
        else:
            target.append(s)
    return shape, tuple(target)


@SETTINGS
@given(ex=expansions(), dtype=float_dtypes, seed=seeds, as_tuple=st.booleans())
def test_expand(ex, dtype, seed, as_tuple):
    shape, target = ex
    x = values(seed, shape).astype(dtype)
    args = (target,) if as_tuple else target
    check(lambda lib, t: t.expand(*args), x)
    check(lambda lib, t: t.expand(*args) * 2, x)


def test_expand_as():
    check(lambda lib, t, o: t.expand_as(o), values(0, (3, 1)), both(values(1, (2, 3, 4)), requires_grad=False))


# -- cat / stack ---------------------------------------------------------------------------------------------------------
@st.composite
def cat_inputs(draw):
    shape = draw(shapes(min_dims=1, max_dims=3))
    n = len(shape)
    dim = draw(st.integers(-n, n - 1))
    count = draw(st.integers(1, 4))
    pieces = []
    for _ in range(count):
        s = list(shape)
        s[dim] = draw(st.integers(0, 3))
        pieces.append(tuple(s))
    return pieces, dim


@SETTINGS
@given(ci=cat_inputs(), dtype=float_dtypes, seed=seeds, grads=st.lists(st.booleans(), min_size=4, max_size=4))
def test_cat(ci, dtype, seed, grads):
    pieces, dim = ci
    inputs = [both(values(seed + i, s).astype(dtype), requires_grad=grads[i]) for i, s in enumerate(pieces)]
    check(lambda lib, *ts: lib.cat(ts, dim), *inputs)
    check(lambda lib, *ts: lib.cat(list(ts), dim=dim), *inputs)
    check(lambda lib, *ts: lib.concat(ts, dim), *inputs)


@SETTINGS
@given(shape=shapes(max_dims=3), count=st.integers(1, 4), data=st.data(), dtype=float_dtypes, seed=seeds)
def test_stack(shape, count, data, dtype, seed):
    n = len(shape) + 1
    dim = data.draw(st.integers(-n, n - 1))
    inputs = [values(seed + i, shape).astype(dtype) for i in range(count)]
    check(lambda lib, *ts: lib.stack(ts, dim), *inputs)
    check(lambda lib, *ts: lib.stack(list(ts), dim=dim), *inputs)


def test_cat_and_stack_promote_dtypes():
    a = values(0, (2, 3)).astype("float32")
    b = values(1, (1, 3)).astype("float64")
    i = both(np.arange(3).reshape(1, 3))
    check(lambda lib, x, y: lib.cat([x, y]), a, b)
    check(lambda lib, x, y: lib.cat([x, y]), a, i)
    check(lambda lib, x, y: lib.stack([x, y]), a[:1], b)


def test_cat_same_tensor_twice_accumulates():
    check(lambda lib, x: lib.cat([x, x * 2, x], 1), values(0, (2, 3)))
    check(lambda lib, x: lib.stack([x, x], -1), values(0, (2, 3)))


def test_cat_skips_legacy_empty_1d_tensors():
    # torch still accepts 1-d tensors of size 0 next to anything
    check(lambda lib, x, e: lib.cat([x, e, x], 1), values(0, (2, 3)), both(np.zeros((0,))))


@pytest.mark.parametrize("shape", [(), (3,), (2, 3, 4)], ids=str)
def test_T_of_other_ranks_warns_like_torch(shape):
    # torch 2.13 still reverses the dims (deprecated), with a UserWarning; 2-d tensors do not warn
    import warnings

    from tests.conftest import normalise

    texts = {}

    def fn(lib, t):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            out = t.T
        texts[lib.__name__] = [normalise(str(w.message)).split(" (Triggered internally")[0] for w in record
                               if issubclass(w.category, UserWarning)]
        return out

    check(fn, values(0, shape))
    assert len(texts["minigrad"]) == 1
    # torch warns once per process (TORCH_WARN_ONCE): compare the text when this run saw it
    assert len(texts["torch"]) <= 1
    if texts["torch"]:
        assert texts["minigrad"][0].startswith(texts["torch"][0])


@pytest.mark.parametrize("size", [(2, 3), (1, 3), (2, 1), (1, 1), (1, 2, 1), (3,), (), (4, 2, 3)], ids=str)
def test_sum_to_size(size):
    check(lambda lib, t: t.sum_to_size(size), values(10, (4, 2, 3)))


@pytest.mark.parametrize("size", [(3, 2), (5, 2, 3), (2, 2)], ids=str)
def test_sum_to_size_refuses_what_does_not_expand_back(size):
    from tests.ops._differential import check_error

    check_error(lambda lib: lib.ones(4, 2, 3).sum_to_size(size))


def test_reshape_that_copies_gives_a_copy_of_its_own():
    m, t = both(values(11, (3, 4)))
    check(lambda lib, x: x.T.reshape(-1) * 2, (m, t))
    flat = m.T.reshape(-1)
    flat.data[0] = 100.0
    assert m[0, 0].item() != 100.0  # the copy is not a view of the input
