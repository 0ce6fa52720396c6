"""Indexing and slicing against torch: basic, advanced (lists, integer tensors, masks), mixed, repeated."""
import pytest

torch = pytest.importorskip("torch")
pytestmark = [
    pytest.mark.torch,
    pytest.mark.filterwarnings("error::RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:Using a non-tuple sequence:UserWarning"),
]

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.ops._differential import both, check, float_dtypes, seeds, shapes, values  # noqa: E402

SETTINGS = settings(max_examples=25, deadline=None)


# An index is described by a spec (plain data) and built for each library, so that integer tensors
# inside it become tensors of that library.
def build(lib, spec):
    def one(item):
        kind, v = item
        if kind == "tensor":
            return lib.tensor(v, dtype=lib.int64)
        if kind == "mask":
            return lib.tensor(v)
        if kind == "list":
            return list(v)
        return v

    if isinstance(spec, list):
        return tuple(one(i) for i in spec)
    return one(spec)


@st.composite
def index_specs(draw, shape, advanced=True):
    """A tuple index for ``shape``: ints, slices with steps, None, at most one Ellipsis, and
    (if ``advanced``) integer lists/tensors that broadcast together, repeats allowed."""
    items = []
    dims = list(shape)
    use_ellipsis = draw(st.booleans())
    length = draw(st.integers(1, 3))  # shared length of the advanced indices
    consumed = draw(st.integers(0, len(dims)))
    ellipsis_at = draw(st.integers(0, consumed)) if use_ellipsis else None
    for pos in range(consumed + 1):
        if pos == ellipsis_at:
            items.append(("plain", Ellipsis))
        if draw(st.integers(0, 5)) == 0:
            items.append(("plain", None))
        if pos == consumed:
            break
        size = dims[pos] if ellipsis_at is None or pos < ellipsis_at else dims[len(dims) - consumed + pos]
        choice = draw(st.sampled_from(["int", "slice", "slice", "list", "tensor"] if advanced else
                                      ["int", "slice", "slice"]))
        if choice == "int":
            items.append(("plain", draw(st.integers(-size, size - 1))))
        elif choice == "slice":
            start = draw(st.none() | st.integers(-size - 1, size + 1))
            stop = draw(st.none() | st.integers(-size - 1, size + 1))
            step = draw(st.none() | st.integers(1, 3))
            items.append(("plain", slice(start, stop, step)))
        else:
            picks = draw(st.lists(st.integers(-size, size - 1), min_size=length, max_size=length))
            items.append((choice, picks))
    return items


@st.composite
def indexed(draw, advanced=True):
    shape = draw(shapes(min_dims=1, max_dims=4))
    return shape, draw(index_specs(shape, advanced))


@SETTINGS
@given(case=indexed(advanced=False), dtype=float_dtypes, seed=seeds)
def test_basic_indexing(case, dtype, seed):
    shape, spec = case
    x = values(seed, shape).astype(dtype)
    check(lambda lib, t: t[build(lib, spec)], x)


@SETTINGS
@given(case=indexed(), dtype=float_dtypes, seed=seeds)
def test_mixed_indexing(case, dtype, seed):
    shape, spec = case
    x = values(seed, shape).astype(dtype)
    check(lambda lib, t: t[build(lib, spec)], x)


@pytest.mark.parametrize("key", [
    0, -1, 2, slice(None), slice(1, None), slice(None, None, 2), slice(-3, -1), slice(5, 10), slice(0, 4),
    slice(0, 100), None, Ellipsis, (), (Ellipsis, 0), (0, Ellipsis), (None, Ellipsis, None), (0, 1),
    (slice(None), 0), (1, slice(None, None, 3)), (None, 0), (Ellipsis, None), (slice(None), None, -1),
    True, False,
], ids=repr)
def test_single_basic_keys(key):
    check(lambda lib, t: t[key], values(0, (4, 5)))


@pytest.mark.parametrize("key", [
    [0, 2], [3, 3, 3], [-1, 0], [[0, 1], [1, 0]], ([0, 1], [2, 2]), ([0, 0], slice(None), ), (slice(None), [1, 1]),
    ([0, 3], 1), (1, [0, 4]), (Ellipsis, [0, 0, 1]), (None, [1, 2]), ([1], slice(1, None), [2]),
    ([0, 2], slice(None), [1, 1]), (slice(None), [0, 1], [1, 2]),
], ids=repr)
@pytest.mark.parametrize("as_tensor", [False, True], ids=["list", "tensor"])
def test_advanced_keys(key, as_tensor):
    def build_key(lib):
        def one(k):
            return lib.tensor(k) if as_tensor and isinstance(k, list) else k
        return tuple(one(k) for k in key) if isinstance(key, tuple) else one(key)

    check(lambda lib, t: t[build_key(lib)], values(0, (4, 5, 3)))


def test_repeated_indices_accumulate_gradients():
    x = values(1, (5, 2))
    check(lambda lib, t: t[lib.tensor([0, 0, 0, 4, 4])], x)
    check(lambda lib, t: t[[1, 1], [0, 0]], x)
    check(lambda lib, t: t[lib.tensor([[1, 1], [1, 3]])] * 3, x)


def test_zero_dim_integer_tensor_index_acts_like_an_int():
    check(lambda lib, t: t[lib.tensor(2)], values(0, (4, 5)))
    check(lambda lib, t: t[1, lib.tensor(-1)], values(0, (4, 5)))


@SETTINGS
@given(shape=shapes(min_dims=1, max_dims=3), data=st.data(), dtype=float_dtypes, seed=seeds)
def test_boolean_masks(shape, data, dtype, seed):
    x = values(seed, shape).astype(dtype)
    leading = data.draw(st.integers(1, len(shape)))
    mask = values(seed + 1, shape[:leading]) > 0
    m = both(mask)
    check(lambda lib, t, k: t[k], x, m)
    check(lambda lib, t, k: t[k] * 2, x, m)
    if len(shape) > leading:
        check(lambda lib, t, k: t[k, 0], x, m)
    if len(shape) >= 2:  # a mask on a later dim
        later = both(values(seed + 2, shape[1:2]) > 0)
        check(lambda lib, t, k: t[:, k], x, later)


def test_mask_from_a_comparison():
    check(lambda lib, t: t[t > 0], values(3, (3, 4)))
    check(lambda lib, t: t[(t > 0) & (t < 1)].sum(), values(3, (3, 4)))
    check(lambda lib, t: t[:, t[0] > 0], values(3, (3, 4)))


def test_mask_list_of_bools():
    check(lambda lib, t: t[[True, False, True]], values(3, (3, 4)))


def test_index_of_zero_dim_tensor():
    check(lambda lib, t: t[None], values(0, ()))
    check(lambda lib, t: t[...], values(0, ()))
    check(lambda lib, t: t[()], values(0, ()))
    check(lambda lib, t: t[t > 0], values(0, ()))


def test_chained_indexing():
    check(lambda lib, t: t[1:][0][::2], values(0, (4, 5)))
    check(lambda lib, t: t[:, [0, 0]][[1, 1]], values(0, (4, 5)))


def test_select_method():
    check(lambda lib, t: t.select(1, -1), values(0, (4, 5)))
    check(lambda lib, t: lib.select(t, 0, 2), values(0, (4, 5)))


def test_integer_and_bool_tensors_can_be_indexed():
    check(lambda lib, t: t[1:, [0, 0]], both(np.arange(12).reshape(3, 4)))
    check(lambda lib, t: t[t > 4], both(np.arange(12).reshape(3, 4)))


@pytest.mark.parametrize("key", [
    (0, slice(None), [0, 1]), ([0, 1], slice(None), 0), (0, [1, 1], slice(None)), (slice(None), 1, [0, 2]),
    (0, None, [0, 1]), (Ellipsis, 0, [1]), ([0, 2], 1, [0, 4]),
], ids=repr)
def test_int_with_tensor_indices_follows_torch_not_numpy(key):
    # torch applies ints before tensor indices, so they never move the result's dims
    check(lambda lib, t: t[key], values(0, (3, 4, 5)))


ELLIPSIS_BETWEEN = [
    (slice(None), [0, 1], Ellipsis, [0, 1]), ([1, 0], Ellipsis, [2, 3]), (0, [1, 2], Ellipsis, [0, 4]),
    (None, [0, 1], Ellipsis, [2, 2], None), ([0, 1], Ellipsis, slice(None), [0, 1]),
]


@pytest.mark.parametrize("key", ELLIPSIS_BETWEEN, ids=repr)
def test_ellipsis_between_tensor_indices_follows_torch(key):
    # NumPy counts an empty `...` as a gap between tensor indices and moves their dims to the front
    # (x[:, [0, 1], ..., [0, 1]] came out transposed, same shape); torch does not
    check(lambda lib, t: t[key] * 2, values(0, (2, 3, 5)))

    def put(lib, t, v):
        y = t * 1
        y[key] = v
        return y

    check(put, values(0, (2, 3, 5)), values(1, tuple(torch.zeros(2, 3, 5)[key].shape)))


SETITEM_KEYS = [
    0, -1, slice(1, 3), (slice(None), 0), (Ellipsis, slice(None, None, 2)), [0, 2], ([0, 0], [1, 1]),
    (0, slice(None), [0, 1]), (slice(None), [1, 2]),
]


@pytest.mark.parametrize("key", SETITEM_KEYS, ids=repr)
def test_setitem_gradients(key):
    x = values(0, (3, 4, 5))
    region = tuple(torch.zeros(3, 4, 5)[key].shape)

    def fn(lib, t, v):
        y = t * 1
        y[key] = v * 2
        return y

    check(fn, x, values(1, region))
    check(fn, x, values(1, region[-1:]))  # the value broadcasts
    check(fn, x, both(values(1, region), requires_grad=False))


def test_setitem_with_mask():
    def fn(lib, t, v):
        y = t * 1
        y[t > 0] = v * 2
        return y

    x = values(0, (3, 4))
    check(fn, x, values(1, (int((x > 0).sum()),)))
    check(fn, x, values(1, ()))


def test_list_of_lists_is_read_as_a_tuple_with_torch_warning():
    import warnings

    from tests.conftest import normalise

    texts = {}

    def fn(lib, t):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            out = t[[[0, 1], [1, 0]]]
        texts[lib.__name__] = [normalise(str(w.message)).split(" (Triggered internally")[0] for w in record]
        return out

    check(fn, values(0, (3, 4)))
    assert len(texts["minigrad"]) == len(texts["torch"]) == 1
    assert texts["minigrad"][0].startswith(texts["torch"][0])


def test_empty_index_list_picks_nothing():
    check(lambda lib, t: t[[]], values(0, (2, 3)))
    check(lambda lib, t: t[:, []], values(0, (2, 3)))
    check(lambda lib, t: t[lib.tensor([], dtype=lib.int64)], values(0, (2, 3)))


@pytest.mark.parametrize("key", [(0, 5), (None, 0, 3), (Ellipsis, 7), (1, None, 9), (slice(None), -4)], ids=str)
def test_an_int_out_of_range_names_the_dim_it_was_written_for(key):
    from tests.ops._differential import check_error

    check_error(lambda lib: lib.ones(2, 3, 4)[key])
