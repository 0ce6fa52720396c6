"""Refusals: the same exception class as torch, torch's message first (after ``normalise``), then one
sentence of minigrad's own that says why or what to do."""
import pytest

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.torch, pytest.mark.filterwarnings("error::RuntimeWarning")]

from tests.ops._differential import check_error  # noqa: E402


def x(lib, *shape, dtype=None):
    return lib.ones(shape, dtype=dtype or lib.float32, requires_grad=(dtype is None))


CASES = {
    # broadcasting
    "add_broadcast": lambda lib: x(lib, 2, 3) + x(lib, 4),
    "mul_broadcast": lambda lib: x(lib, 2, 3) * x(lib, 3, 2),
    "sub_broadcast": lambda lib: x(lib, 5, 1, 3) - x(lib, 4, 2),
    "div_broadcast": lambda lib: x(lib, 3) / x(lib, 2),
    "pow_broadcast": lambda lib: x(lib, 3) ** x(lib, 2),
    "maximum_broadcast": lambda lib: lib.maximum(x(lib, 2, 3), x(lib, 2)),
    "where_broadcast": lambda lib: lib.where(lib.ones(3, dtype=lib.bool), x(lib, 2), x(lib, 3)),
    "eq_broadcast": lambda lib: x(lib, 2, 3) == x(lib, 2),
    "lt_broadcast": lambda lib: x(lib, 2, 3) < x(lib, 4, 3, 3),
    # matmul
    "matmul_1d_1d": lambda lib: x(lib, 3) @ x(lib, 4),
    "matmul_1d_2d": lambda lib: x(lib, 3) @ x(lib, 4, 2),
    "matmul_2d_1d": lambda lib: x(lib, 2, 3) @ x(lib, 4),
    "matmul_2d_2d": lambda lib: x(lib, 2, 3) @ x(lib, 4, 2),
    "matmul_3d_1d": lambda lib: x(lib, 5, 2, 3) @ x(lib, 4),
    "matmul_3d_2d": lambda lib: x(lib, 5, 2, 3) @ x(lib, 4, 2),
    "matmul_2d_3d": lambda lib: x(lib, 2, 3) @ x(lib, 5, 4, 2),
    "matmul_2d_3d_constant": lambda lib: x(lib, 2, 3, dtype=lib.float32) @ x(lib, 5, 4, 2),
    "matmul_1d_3d": lambda lib: x(lib, 3) @ x(lib, 5, 4, 2),
    "matmul_1d_3d_constant": lambda lib: x(lib, 3, dtype=lib.float32) @ x(lib, 5, 4, 2),
    "matmul_3d_3d": lambda lib: x(lib, 5, 2, 3) @ x(lib, 5, 4, 2),
    "matmul_4d_3d": lambda lib: x(lib, 6, 5, 2, 3) @ x(lib, 5, 4, 2),
    "matmul_batch": lambda lib: x(lib, 3, 2, 3) @ x(lib, 2, 3, 2),
    # bools: each kernel torch reaches refuses them, under its own name
    "matmul_bool_2d_2d": lambda lib: x(lib, 2, 2, dtype=lib.bool) @ x(lib, 2, 2, dtype=lib.bool),
    "matmul_bool_2d_1d": lambda lib: x(lib, 2, 2, dtype=lib.bool) @ x(lib, 2, dtype=lib.bool),
    "matmul_bool_1d_1d": lambda lib: x(lib, 2, dtype=lib.bool) @ x(lib, 2, dtype=lib.bool),
    "matmul_bool_1d_3d": lambda lib: x(lib, 2, dtype=lib.bool) @ x(lib, 3, 2, 2, dtype=lib.bool),
    "matmul_bool_3d_2d": lambda lib: x(lib, 3, 2, 2, dtype=lib.bool) @ x(lib, 2, 2, dtype=lib.bool),
    "matmul_bool_3d_1d": lambda lib: x(lib, 3, 2, 2, dtype=lib.bool) @ x(lib, 2, dtype=lib.bool),
    "matmul_bool_3d_3d": lambda lib: x(lib, 3, 2, 2, dtype=lib.bool) @ x(lib, 3, 2, 2, dtype=lib.bool),
    "matmul_bool_sizes": lambda lib: x(lib, 2, 3, dtype=lib.bool) @ x(lib, 2, 2, dtype=lib.bool),
    "matmul_0d": lambda lib: x(lib) @ x(lib, 3),
    "matmul_dtype_mm": lambda lib: x(lib, 2, 2) @ lib.ones(2, 2, dtype=lib.float64),
    "matmul_dtype_dot": lambda lib: lib.ones(2, dtype=lib.int64) @ x(lib, 2),
    "matmul_dtype_mv": lambda lib: x(lib, 2, 2) @ lib.ones(2, dtype=lib.float64),
    "matmul_dtype_bmm": lambda lib: x(lib, 2, 2, 2) @ lib.ones(2, 2, 2, dtype=lib.float64),
    # dims out of range
    "sum_dim": lambda lib: x(lib, 2, 3).sum(2),
    "sum_negative_dim": lambda lib: x(lib, 2, 3).sum(-3),
    "sum_tuple_dim": lambda lib: x(lib, 2, 3).sum((0, 5)),
    "sum_repeated_dim": lambda lib: x(lib, 2, 3).sum((0, -2)),
    "mean_dim": lambda lib: x(lib, 2, 3).mean(3),
    "max_dim": lambda lib: x(lib, 2, 3).max(2),
    "min_dim": lambda lib: x(lib, 2, 3).min(-3),
    "var_dim": lambda lib: x(lib, 2, 3).var(4),
    "logsumexp_dim": lambda lib: x(lib, 2, 3).logsumexp(2),
    "softmax_dim": lambda lib: x(lib, 2, 3).softmax(2),
    "log_softmax_dim": lambda lib: x(lib, 2, 3).log_softmax(-3),
    "softmax_0d_dim": lambda lib: x(lib).softmax(1),
    "transpose_dim": lambda lib: x(lib, 2, 3).transpose(0, 2),
    "permute_dim": lambda lib: x(lib, 2, 3).permute(0, 2),
    "permute_repeated": lambda lib: x(lib, 2, 3).permute(0, 0),
    "permute_length": lambda lib: x(lib, 2, 3).permute(0, 1, 2),
    "unsqueeze_dim": lambda lib: x(lib, 2, 3).unsqueeze(3),
    "unsqueeze_negative_dim": lambda lib: x(lib, 2, 3).unsqueeze(-4),
    "squeeze_dim": lambda lib: x(lib, 2, 3).squeeze(2),
    "flatten_dim": lambda lib: x(lib, 2, 3).flatten(0, 2),
    "flatten_order": lambda lib: x(lib, 2, 3, 4).flatten(2, 1),
    "cat_dim": lambda lib: lib.cat([x(lib, 2, 3), x(lib, 2, 3)], 2),
    "stack_dim": lambda lib: lib.stack([x(lib, 2, 3), x(lib, 2, 3)], 3),
    "select_dim": lambda lib: x(lib, 2, 3).select(2, 0),
    "select_index": lambda lib: x(lib, 2, 3).select(1, 3),
    # reshape / view
    "reshape_size": lambda lib: x(lib, 2, 3).reshape(4, 2),
    "reshape_two_minus_ones": lambda lib: x(lib, 2, 3).reshape(-1, -1),
    "reshape_minus_one_indivisible": lambda lib: x(lib, 2, 3).reshape(-1, 4),
    "reshape_negative": lambda lib: x(lib, 2, 3).reshape(-2, 3),
    "view_size": lambda lib: x(lib, 2, 3).view(7),
    "view_non_contiguous": lambda lib: x(lib, 2, 3).t().view(6),
    # cat / stack
    "cat_sizes": lambda lib: lib.cat([x(lib, 2, 3), x(lib, 2, 4)]),
    "cat_ndim": lambda lib: lib.cat([x(lib, 2, 3), x(lib, 3)]),
    "cat_0d": lambda lib: lib.cat([x(lib, 2), x(lib)]),
    "cat_empty_list": lambda lib: lib.cat([]),
    "stack_sizes": lambda lib: lib.stack([x(lib, 2, 3), x(lib, 3, 2)]),
    "stack_empty_list": lambda lib: lib.stack([]),
    # indexing
    "index_int": lambda lib: x(lib, 3)[3],
    "index_negative_int": lambda lib: x(lib, 3, 2)[-4],
    "index_second_dim": lambda lib: x(lib, 3, 2)[0, 2],
    "index_too_many": lambda lib: x(lib, 3, 2)[0, 0, 0],
    "index_list": lambda lib: x(lib, 3)[[0, 3]],
    "index_tensor": lambda lib: x(lib, 3, 2)[lib.tensor([1, 5])],
    "index_tensor_second_dim": lambda lib: x(lib, 3, 2)[:, lib.tensor([0, 2])],
    "index_float_tensor": lambda lib: x(lib, 3)[lib.tensor([0.0])],
    "index_mask_shape": lambda lib: x(lib, 3, 2)[lib.ones(2, dtype=lib.bool)],
    "index_mask_later_dim": lambda lib: x(lib, 2, 3, 4)[:, lib.ones(3, 2, dtype=lib.bool)],
    "index_two_lists": lambda lib: x(lib, 3, 2)[[0, 1], [0, 5]],
    "index_two_lists_first_bad": lambda lib: x(lib, 3, 2)[[0, 5], [0, 9]],
    "index_2d_tensor": lambda lib: x(lib, 3, 2)[lib.tensor([[0, 7], [9, 1]])],
    "index_list_after_slice": lambda lib: x(lib, 2, 3, 4)[[0, 1], :, [0, 7]],
    "index_list_after_int": lambda lib: x(lib, 2, 3, 4)[0, :, [0, 5]],
    "index_0d": lambda lib: x(lib)[0],
    "index_float": lambda lib: x(lib, 3)[1.5],
    "index_float_in_tuple": lambda lib: x(lib, 3, 2)[0, 1.0],
    "index_negative_step": lambda lib: x(lib, 3)[::-1],
    "index_zero_step": lambda lib: x(lib, 3)[::0],
    # expand
    "expand_size": lambda lib: x(lib, 2, 3).expand(2, 4),
    "expand_fewer_sizes": lambda lib: x(lib, 2, 3).expand(3),
    "expand_fewer_sizes_double": lambda lib: x(lib, 2, 3, dtype=lib.float64).expand(3),
    "expand_leading_minus_one": lambda lib: x(lib, 3).expand(-1, 3),
    # empty reductions
    "max_of_empty": lambda lib: x(lib, 0, 3).max(),
    "min_of_empty": lambda lib: x(lib, 0, 3).min(),
    "amax_of_empty": lambda lib: x(lib, 0, 3).amax(),
    "max_empty_dim": lambda lib: x(lib, 0, 3).max(0),
    "amax_empty_dim": lambda lib: x(lib, 0, 3).amax(0),
    # dtypes
    "mean_of_int": lambda lib: lib.tensor([1, 2, 3]).mean(),
    "mean_of_int_dim": lambda lib: lib.tensor([[1, 2, 3]]).mean(0),
    "mean_of_bool": lambda lib: lib.tensor([True]).mean(),
    "var_of_int": lambda lib: lib.tensor([1, 2, 3]).var(),
    "int_negative_power": lambda lib: lib.tensor([1, 2]) ** -1,
    # quotients rounded to integers: no integer answers x // 0, and bools have no quotient
    "floordiv_int_by_zero": lambda lib: lib.tensor([3, 4]) // 0,
    "floordiv_int_by_zero_tensor": lambda lib: lib.tensor([3, 4]) // lib.tensor([2, 0]),
    "floordiv_int_by_false": lambda lib: lib.tensor([3, 4]) // lib.tensor([True, False]),
    "div_floor_int_by_zero": lambda lib: lib.div(lib.tensor([3]), 0, rounding_mode="floor"),
    "floordiv_bool": lambda lib: lib.tensor([True]) // lib.tensor([True]),
    "floordiv_bool_by_true": lambda lib: lib.tensor([True]) // True,
    "div_trunc_bool": lambda lib: lib.div(lib.tensor([True]), lib.tensor([True]), rounding_mode="trunc"),
    "div_floor_bool": lambda lib: lib.div(lib.tensor([False]), lib.tensor([True]), rounding_mode="floor"),
    "bool_sub": lambda lib: lib.tensor([True]) - lib.tensor([False]),
    "bool_neg": lambda lib: -lib.tensor([True]),
    "where_condition_dtype": lambda lib: lib.where(lib.ones(2), x(lib, 2), x(lib, 2)),
    "clamp_nothing": lambda lib: x(lib, 2).clamp(),
    "requires_grad_int": lambda lib: lib.tensor([1, 2]).requires_grad_(),
    # setitem
    "setitem_shape": lambda lib: _setitem(lib, 0, lib.ones(2)),
    "setitem_advanced_shape": lambda lib: _setitem(lib, [0, 1], lib.ones(2)),
    "setitem_index": lambda lib: _setitem(lib, 5, lib.ones(())),
    # a saved tensor changed in place before backward: a leaf is named alone, an op's output with its op
    "modified_leaf": lambda lib: _modified_then_backward(lib, lambda a: a, lambda a, b: a * b),
    "modified_output": lambda lib: _modified_then_backward(lib, lambda a: a.exp(), lambda a, b: a * b),
    "modified_nll_input": lambda lib: _modified_then_backward(
        lib, lambda a: a, lambda a, b: lib.nn.functional.nll_loss(a, lib.tensor([0, 2]))),
}


def _modified_then_backward(lib, make, use):
    a = make(x(lib, 2, 3))
    out = use(a, a)
    with lib.no_grad():
        a.mul_(2)
    out.sum().backward()


def _setitem(lib, key, value):
    t = lib.zeros(3, 4)
    t[key] = value
    return t


@pytest.mark.parametrize("name", sorted(CASES))
def test_error(name):
    check_error(CASES[name])
