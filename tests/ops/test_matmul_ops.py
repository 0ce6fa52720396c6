"""a @ b through every path torch takes (dot, mv, mm, a vector times a matrix, folded batches, bmm),
and linear's addmm, against torch: values, dtypes, grad_fn names, gradients, second derivatives,
errors. (The graph each path records is compared in tests/autograd/test_graph_structure_vs_torch.py.)"""
import itertools

import pytest

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.torch, pytest.mark.filterwarnings("error::RuntimeWarning")]

import numpy as np  # noqa: E402

from tests.ops._differential import both, check, check_double, check_error, values  # noqa: E402

LEFT = [(3,), (4, 3), (2, 4, 3), (1, 4, 3), (2, 1, 4, 3)]
RIGHT = [(3,), (3, 5), (2, 3, 5), (1, 3, 5), (2, 2, 3, 5)]
PAIRS = [(a, b) for a, b in itertools.product(LEFT, RIGHT)
         if len(a) == 1 or len(b) == 1 or np.broadcast_shapes(a[:-2], b[:-2]) is not None]
GRADS = {"both": (True, True), "left": (True, False), "right": (False, True)}


def operand(seed, shape, requires_grad, transposed):
    """A leaf of ``shape``, maybe laid out transposed (its last two dims swapped in memory)."""
    if transposed and len(shape) >= 2:
        pair = both(np.swapaxes(values(seed, shape), -1, -2).copy(), requires_grad=False)
        m, t = (x.mT.detach().requires_grad_(requires_grad) for x in pair)
        assert not m._data.flags.c_contiguous and not t.is_contiguous()
        return m, t
    return both(values(seed, shape), requires_grad=requires_grad)


@pytest.mark.parametrize("sa,sb", PAIRS, ids=str)
@pytest.mark.parametrize("grads", GRADS)
@pytest.mark.parametrize("layout", ["rows", "transposed"])
def test_matmul_paths(sa, sb, grads, layout):
    need_a, need_b = GRADS[grads]
    transposed = layout == "transposed"
    a, b = operand(1, sa, need_a, transposed), operand(2, sb, need_b, transposed)
    check(lambda lib, x, y: x @ y, a, b)


@pytest.mark.parametrize("sa,sb", [((3,), (3, 5)), ((2, 4, 3), (3, 5)), ((2, 4, 3), (3,)), ((4, 3), (2, 3, 5)),
                                   ((3,), (2, 3, 5)), ((2, 4, 3), (2, 3, 5)), ((2, 4, 3), (1, 3, 5))], ids=str)
def test_matmul_second_derivatives(sa, sb):
    check_double(lambda lib, x, y: (x @ y) ** 2, values(3, sa), values(4, sb))


@pytest.mark.parametrize("sa,sb", [((2, 4, 3), (2, 5)), ((2, 4, 3), (4,)), ((4, 3), (2, 4, 5)), ((3,), (2, 4, 5)),
                                   ((2, 4, 3), (2, 4, 5)), ((2, 4, 3), (1, 4, 5))], ids=str)
@pytest.mark.parametrize("grads", GRADS)
def test_matmul_size_errors_name_the_kernel_torch_reaches(sa, sb, grads):
    need_a, need_b = GRADS[grads]
    check_error(lambda lib: lib.tensor(values(5, sa), requires_grad=need_a) @ lib.tensor(values(6, sb),
                                                                                         requires_grad=need_b))


@pytest.mark.parametrize("x_shape", [(4, 3), (3,), (2, 4, 3), (2, 2, 1, 3), (0, 3)], ids=str)
@pytest.mark.parametrize("bias", [None, (5,), (1,), (4, 5)], ids=str)
@pytest.mark.parametrize("grads", ["all", "weight", "input"])
def test_linear(x_shape, bias, grads):
    x = both(values(7, x_shape), requires_grad=grads in ("all", "input"))
    w = both(values(8, (5, 3)), requires_grad=grads in ("all", "weight"))
    b = both(values(9, bias), requires_grad=grads == "all") if bias is not None else None
    check(lambda lib, *t: lib.nn.functional.linear(*t), x, w, *([b] if b else []))


def test_linear_of_an_input_not_in_row_order():
    x = operand(10, (2, 3, 4), True, transposed=True)
    check(lambda lib, t, w, b: lib.nn.functional.linear(t, w, b), x, values(11, (5, 4)), values(12, 5))


def test_linear_second_derivatives():
    check_double(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b) ** 2,
                 values(13, (4, 3)), values(14, (5, 3)), values(15, 5))
    check_double(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b) ** 2,
                 values(16, (2, 4, 3)), values(17, (5, 3)), values(18, 5))


@pytest.mark.parametrize("case", [
    "bias of another dtype", "input of another dtype", "sizes", "bias too big", "1-d weight", "0-d input",
])
def test_linear_errors_are_torchs(case):
    def call(lib):
        f32, f64 = lib.float32, lib.float64
        x, w, b = lib.ones(2, 3, dtype=f32), lib.ones(4, 3, dtype=f32), lib.ones(4, dtype=f32)
        if case == "bias of another dtype":
            b = b.to(f64)
        elif case == "input of another dtype":
            x = x.to(f64)
        elif case == "sizes":
            w = lib.ones(4, 4)
        elif case == "bias too big":
            b = lib.ones(3, 4)
        elif case == "1-d weight":
            w = lib.ones(3)
        else:
            x = lib.tensor(1.0)
        return lib.nn.functional.linear(x, w, b)

    check_error(call)
