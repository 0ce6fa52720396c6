"""sum, mean, max/min, amax, var/std, logsumexp, softmax and log_softmax against torch."""
import pytest

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.torch, pytest.mark.filterwarnings("error::RuntimeWarning")]

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.conftest import normalise  # noqa: E402
from tests.ops._differential import both, check, float_dtypes, seeds, shapes, values  # noqa: E402

SETTINGS = settings(max_examples=15, deadline=None)


@st.composite
def shape_and_dim(draw, max_dims=4):
    """A shape and one dim of it, negative half of the time (0-d tensors accept 0 and -1)."""
    shape = draw(shapes(max_dims=max_dims))
    n = max(len(shape), 1)
    return shape, draw(st.integers(-n, n - 1))


@st.composite
def shape_and_dims(draw, max_dims=4):
    """A shape and a tuple of distinct dims of it, in any order, each possibly negative."""
    shape = draw(shapes(min_dims=1, max_dims=max_dims))
    n = len(shape)
    picked = draw(st.lists(st.integers(0, n - 1), unique=True, min_size=1, max_size=n))
    return shape, tuple(d - n if draw(st.booleans()) else d for d in picked)


# -- sum / mean -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sum", "mean"])
@SETTINGS
@given(shape=shapes(max_dims=4), dtype=float_dtypes, seed=seeds)
def test_full_reduction(name, shape, dtype, seed):
    x = values(seed, shape).astype(dtype)
    check(lambda lib, t: getattr(t, name)(), x)
    check(lambda lib, t: getattr(lib, name)(t), x)


@pytest.mark.parametrize("name", ["sum", "mean"])
@SETTINGS
@given(sd=shape_and_dim(), keepdim=st.booleans(), dtype=float_dtypes, seed=seeds)
def test_reduction_over_one_dim(name, sd, keepdim, dtype, seed):
    shape, dim = sd
    x = values(seed, shape).astype(dtype)
    check(lambda lib, t: getattr(t, name)(dim, keepdim=keepdim), x)
    check(lambda lib, t: getattr(lib, name)(t, dim=dim, keepdim=keepdim), x)


@pytest.mark.parametrize("name", ["sum", "mean"])
@SETTINGS
@given(sd=shape_and_dims(), keepdim=st.booleans(), as_list=st.booleans(), dtype=float_dtypes, seed=seeds)
def test_reduction_over_several_dims(name, sd, keepdim, as_list, dtype, seed):
    shape, dims = sd
    dims = list(dims) if as_list else dims
    x = values(seed, shape).astype(dtype)
    check(lambda lib, t: getattr(t, name)(dims, keepdim), x)


@pytest.mark.parametrize("name", ["sum", "mean"])
@pytest.mark.parametrize("dims", [(), []], ids=["tuple", "list"])
def test_empty_dim_list_reduces_everything(name, dims):
    check(lambda lib, t: getattr(t, name)(dims), values(0, (2, 3)))
    check(lambda lib, t: getattr(t, name)(dims, keepdim=True), values(0, (2, 3)))


@pytest.mark.parametrize("name", ["sum", "mean"])
def test_dim_none_with_keepdim(name):
    check(lambda lib, t: getattr(t, name)(dim=None, keepdim=True), values(0, (2, 3)))
    check(lambda lib, t: getattr(lib, name)(t, None, True), values(0, (2, 1, 3)))


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "logsumexp", "softmax", "log_softmax"])
def test_reductions_of_empty_tensors(name):
    def fn(lib, t):
        return getattr(t, name)(0) if name in ("logsumexp", "softmax", "log_softmax") else getattr(t, name)(1)

    check(fn, values(0, (0, 3)))


@pytest.mark.parametrize("array", [np.array([[1, 2], [3, 4]]), np.array([True, False, True]),
                                   np.array([1, 2], dtype=np.int32)], ids=["int64", "bool", "int32"])
def test_sum_of_integers_and_bools_is_int64(array):
    check(lambda lib, t: t.sum(), both(array))
    check(lambda lib, t: t.sum(0), both(array))


def test_sum_and_mean_with_dtype_argument():
    check(lambda lib, t: t.sum(dtype=lib.float64), values(0, (2, 3)).astype("float32"))
    check(lambda lib, t: t.mean(1, dtype=lib.float64), values(0, (2, 3)).astype("float32"))
    check(lambda lib, t: t.sum(0, dtype=lib.float32), both(np.arange(6).reshape(2, 3)))


# -- max / min / amax --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["max", "min", "amax"])
@SETTINGS
@given(shape=shapes(max_dims=3), dtype=float_dtypes, seed=seeds, integral=st.booleans())
def test_max_min_without_dim(name, shape, dtype, seed, integral):
    # whole numbers in [-1, 1] make ties: torch shares the gradient evenly among tied elements
    x = values(seed, shape, -1, 1, integral=integral).astype(dtype)
    check(lambda lib, t: getattr(t, name)(), x)
    check(lambda lib, t: getattr(lib, name)(t), x)


@pytest.mark.parametrize("name", ["max", "min"])
@SETTINGS
@given(sd=shape_and_dim(max_dims=3), keepdim=st.booleans(), dtype=float_dtypes, seed=seeds)
def test_max_min_with_dim(name, sd, keepdim, dtype, seed):
    shape, dim = sd
    x = values(seed, shape).astype(dtype)
    m, t = check(lambda lib, t: getattr(t, name)(dim, keepdim), x)
    assert type(m).__name__ == type(t).__name__ == f"{name}"  # torch.return_types.max
    check(lambda lib, t: getattr(lib, name)(t, dim, keepdim=keepdim).values, x)
    check(lambda lib, t: getattr(lib, name)(t, dim=dim, keepdim=keepdim).indices, x)
    check(lambda lib, t: getattr(lib, "arg" + name)(t, dim, keepdim), x)
    check(lambda lib, t: getattr(lib, "arg" + name)(t), x)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_with_dim_ties_pick_the_first(name):
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [0.0, 0.0, 0.0]])
    check(lambda lib, t: getattr(t, name)(1), x)
    check(lambda lib, t: getattr(t, name)(0), x)
    check(lambda lib, t: getattr(t, "arg" + name)(), x)


@SETTINGS
@given(sd=shape_and_dims(max_dims=3), keepdim=st.booleans(), dtype=float_dtypes, seed=seeds)
def test_amax_over_dims_with_ties(sd, keepdim, dtype, seed):
    shape, dims = sd
    x = values(seed, shape, -1, 1, integral=True).astype(dtype)
    check(lambda lib, t: t.amax(dims, keepdim), x)


# -- var / std ----------------------------------------------------------------------------------------------------
VARIANTS = {
    "default": dict(), "unbiased": dict(unbiased=True), "biased": dict(unbiased=False),
    "correction0": dict(correction=0), "correction1": dict(correction=1), "correction2": dict(correction=2),
}


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
@SETTINGS
@given(sd=shape_and_dims(max_dims=3), keepdim=st.booleans(), dtype=float_dtypes, seed=seeds)
def test_var_std_over_dims(name, variant, sd, keepdim, dtype, seed):
    shape, dims = sd
    n = int(np.prod([shape[d] for d in dims]))
    if n <= VARIANTS[variant].get("correction", 0 if variant == "biased" else 1):
        return  # too few elements: tested on its own below
    x = values(seed, shape).astype(dtype)
    check(lambda lib, t: getattr(t, name)(dims, keepdim=keepdim, **VARIANTS[variant]), x, tol=_loose(dtype))
    dim = dims[0]
    if shape[dim] > VARIANTS[variant].get("correction", 1):
        check(lambda lib, t: getattr(lib, name)(t, dim, **VARIANTS[variant]), x, tol=_loose(dtype))


def _loose(dtype):
    return dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else None


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_var_std_of_everything(name, variant):
    check(lambda lib, t: getattr(t, name)(**VARIANTS[variant]), values(1, (3, 4)))


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("shape,kwargs", [((1,), {}), ((3, 1), dict(dim=1)), ((2,), dict(correction=2)),
                                          ((3,), dict(correction=5))], ids=str)
def test_var_std_without_degrees_of_freedom(name, shape, kwargs):
    # torch gives inf or nan and warns; the gradient is inf or nan, not an exception
    messages = {}

    def fn(lib, t):
        with pytest.warns(UserWarning) as record:
            out = getattr(t, name)(**kwargs)
        messages[lib.__name__] = normalise(str(record[0].message))
        return out

    check(fn, values(1, shape))
    assert messages["minigrad"].startswith(messages["torch"].split(" (Triggered internally")[0])


# -- logsumexp / softmax / log_softmax ---------------------------------------------------------------------------------
@SETTINGS
@given(sd=shape_and_dims(), keepdim=st.booleans(), dtype=float_dtypes, seed=seeds)
def test_logsumexp(sd, keepdim, dtype, seed):
    shape, dims = sd
    x = values(seed, shape, -5, 5).astype(dtype)
    check(lambda lib, t: t.logsumexp(dims, keepdim), x)
    check(lambda lib, t: lib.logsumexp(t, dims[0], keepdim=keepdim), x)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_logsumexp_extreme_values(dtype):
    x = np.array([[1000.0, 1000.0, -1000.0], [-np.inf, -np.inf, -np.inf], [-np.inf, 0.0, 1.0]]).astype(dtype)
    check(lambda lib, t: t.logsumexp(1), x)
    check(lambda lib, t: lib.logsumexp(t, 0), x[:1])


def test_logsumexp_of_0d():
    check(lambda lib, t: t.logsumexp(0), values(0, ()))
    check(lambda lib, t: t.logsumexp(-1, keepdim=True), values(0, ()))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@SETTINGS
@given(sd=shape_and_dim(), dtype=float_dtypes, seed=seeds)
def test_softmax_family_every_dim(name, sd, dtype, seed):
    shape, dim = sd
    x = values(seed, shape, -5, 5).astype(dtype)
    check(lambda lib, t: getattr(t, name)(dim), x)
    check(lambda lib, t: getattr(lib, name)(t, dim=dim), x)
    check(lambda lib, t: getattr(lib.nn.functional, name)(t, dim), x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_family_extreme_values(name, dtype):
    x = np.array([[1000.0, 0.0, -1000.0], [50.0, 50.0, 50.0], [-np.inf, 0.0, 1.0]]).astype(dtype)
    check(lambda lib, t: getattr(t, name)(1), x)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family_dtype_argument(name):
    check(lambda lib, t: getattr(t, name)(0, dtype=lib.float64), values(2, (3, 2)).astype("float32"))


def test_logsumexp_needs_dims():
    from tests.ops._differential import check_error

    check_error(lambda lib: lib.ones(2, 3).logsumexp(dim=None))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_family_results_are_laid_out_in_rows_so_that_view_works(name):
    # torch computes them in row order whatever the input's layout: their view(-1) is allowed
    check(lambda lib, t: getattr(t.mT, name)(1).view(-1), values(12, (2, 4, 3)))


@pytest.mark.parametrize("dim", [None, 1, (0, 2)])
def test_sum_with_a_dtype_sums_in_it(dim):
    x = values(13, (2, 3, 4)).astype("float32")
    check(lambda lib, t: t.sum(dim, dtype=lib.float64) if dim is not None else t.sum(dtype=lib.float64), x)
    check(lambda lib, t: t.sum(dtype=lib.int32), both(np.arange(6).reshape(2, 3)))
