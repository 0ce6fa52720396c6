"""The Tensor's graph API, flags, data access and misuse errors, compared with torch."""
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from tests.differential import check  # noqa: E402


def leaf(lib, values=(1.0, 2.0, 3.0), requires_grad=True):
    return lib.tensor(list(values), requires_grad=requires_grad)


SCENARIOS = {
    "flags of leaves and results": lambda lib: (
        lambda x: (lambda y: (x.is_leaf, y.is_leaf, x.requires_grad, y.requires_grad, x.grad_fn is None, y))(x * 2)
    )(leaf(lib)),
    "default requires_grad is False": lambda lib: lib.tensor([1.0]).requires_grad,
    "constant stays a leaf": lambda lib: (leaf(lib, requires_grad=False) * 2).is_leaf,
    "mixing with constant requires grad": lambda lib: leaf(lib) + leaf(lib, requires_grad=False),
    "grad_fn names and next_functions": lambda lib: (
        lambda x, y: (lambda z: (
            z.grad_fn.name(),
            [type(n).__name__ for n, _ in z.grad_fn.next_functions],
            [i for _, i in z.grad_fn.next_functions],
            z.sum().grad_fn.next_functions[0][0] is z.grad_fn,
        ))(x * y)
    )(leaf(lib), leaf(lib, (4.0, 5.0, 6.0))),
    "constant input has no edge": lambda lib: [
        n is None for n, _ in (leaf(lib) * leaf(lib, requires_grad=False)).grad_fn.next_functions
    ],
    "accumulate grad variable is the leaf": lambda lib: (
        lambda x: (x * 2).grad_fn.next_functions[0][0].variable is x
    )(leaf(lib)),
    "requires_grad_ on non-leaf": lambda lib: (leaf(lib) * 2).requires_grad_(False),
    "requires_grad_ True on non-leaf is fine": lambda lib: (leaf(lib) * 2).requires_grad_(),
    "set requires_grad attribute on non-leaf": lambda lib: setattr(leaf(lib) * 2, "requires_grad", False),
    "int tensor cannot require grad": lambda lib: lib.tensor([1, 2], requires_grad=True),
    "int requires_grad_": lambda lib: lib.tensor([1, 2]).requires_grad_(),
    "requires_grad_ returns self": lambda lib: (lambda x: x.requires_grad_() is x)(lib.tensor([1.0])),
    "numpy on requires grad": lambda lib: leaf(lib).numpy(),
    "numpy after detach": lambda lib: leaf(lib).detach().numpy().tolist(),
    "item": lambda lib: lib.tensor([2.5]).item(),
    "item of many": lambda lib: leaf(lib).item(),
    "tolist": lambda lib: lib.tensor([[1.0, 2.0], [3.0, 4.0]]).tolist(),
    "bool of many": lambda lib: bool(leaf(lib)),
    "bool of one": lambda lib: bool(lib.tensor([0.0])),
    "len of 0-d": lambda lib: len(lib.tensor(1.0)),
    "len": lambda lib: len(lib.zeros(4, 2)),
    "shape size ndim dim numel": lambda lib: (
        lambda x: (tuple(x.shape), tuple(x.size()), x.size(1), x.size(-1), x.ndim, x.dim(), x.numel())
    )(lib.zeros(2, 3)),
    "size dim out of range": lambda lib: lib.zeros(2, 3).size(2),
    "T": lambda lib: (leaf(lib).reshape(3, 1) * 1).T,
    "float and int": lambda lib: (float(lib.tensor(2.5)), int(lib.tensor(7))),
    "hook on constant": lambda lib: leaf(lib, requires_grad=False).register_hook(lambda g: g),
    "retain_grad on constant": lambda lib: leaf(lib, requires_grad=False).retain_grad(),
    "repr leaf": lambda lib: repr(leaf(lib)),
    "repr result": lambda lib: repr(leaf(lib) * 2),
    "repr detach": lambda lib: repr(leaf(lib).detach()),
    "dtype after float ops": lambda lib: (leaf(lib).dtype, lib.tensor([1, 2]).dtype, lib.tensor([True]).dtype),
    "is_floating_point": lambda lib: (lib.tensor([1.0]).is_floating_point(), lib.tensor([1]).is_floating_point()),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_graph_api_matches_torch(name):
    check(SCENARIOS[name])


def test_iteration_gives_differentiable_rows():
    def scenario(lib):
        x = leaf(lib)
        rows = list(x)
        sum(rows).backward()
        return rows, x.grad

    check(scenario, compare_grad_fn=False)  # torch makes one UnbindBackward0, minigrad one node per row


def test_nonleaf_grad_access_warns_like_torch():
    def scenario(lib):
        y = leaf(lib) * 2
        y.sum().backward()
        return y.grad

    check(scenario)


def test_detach_shares_storage_and_version_counter():
    def scenario(lib):
        x = leaf(lib)
        y = x.detach()
        y += 1  # the tutorial claims x is unchanged; it is not
        return x, y, y.requires_grad, y.is_leaf, y.grad_fn is None

    check(scenario)


def test_detach_modification_is_caught_at_backward():
    def scenario(lib):
        x = leaf(lib)
        e = x.exp()
        e.detach().zero_()
        e.sum().backward()

    check(scenario)


def test_data_modification_is_not_caught():
    """`.data` has its own version counter: the change goes unnoticed and the gradient is silently wrong."""

    def scenario(lib):
        x = leaf(lib)
        e = x.exp()
        e.data.zero_()
        e.sum().backward()
        return x.grad

    check(scenario)


def test_data_setter_and_getter():
    def scenario(lib):
        x = leaf(lib)
        d = x.data
        x.data = lib.tensor([7.0, 8.0, 9.0])
        return d, x, d.requires_grad, d.is_leaf

    check(scenario)


def test_grad_is_a_tensor_that_can_be_zeroed():
    def scenario(lib):
        x = leaf(lib)
        (x * x).sum().backward()
        g = x.grad
        g.zero_()
        (x * 3).sum().backward()
        return x.grad, g is x.grad

    check(scenario)


def test_grad_setter_checks_shape():
    def scenario(lib):
        x = leaf(lib)
        x.grad = lib.zeros(2)

    check(scenario)


def test_retain_grad():
    def scenario(lib):
        x = leaf(lib)
        y = x * x
        y.retain_grad()
        z = y * 3
        z.sum().backward()
        first = y.grad.clone()
        z2 = y * 2
        z2.sum().backward()  # y's graph part is freed, but only MulBackward0 of x*x needs saved values
        return first, y.grad, y.retains_grad, x.grad

    check(scenario)


def test_hooks_change_and_observe_gradients():
    def scenario(lib):
        seen = []
        x = leaf(lib)
        hx = x.register_hook(lambda g: seen.append(("x", g.tolist())))
        y = x * x
        y.register_hook(lambda g: g * 10)
        y.register_hook(lambda g: seen.append(("y", g.tolist())))
        y.sum().backward()
        hx.remove()
        (x * 1).sum().backward()
        return seen, x.grad

    check(scenario)


def test_leaf_hook_sees_summed_gradient_once():
    def scenario(lib):
        seen = []
        x = leaf(lib)
        x.register_hook(lambda g: seen.append(g.tolist()))
        (x * 2 + x * 3).sum().backward()
        return seen

    check(scenario)


def test_inplace_on_leaf_requiring_grad():
    check(lambda lib: leaf(lib).add_(1))
    check(lambda lib: leaf(lib).mul_(2))


def test_inplace_operator_on_leaf():
    def scenario(lib):
        x = leaf(lib)
        x += 1

    check(scenario)


def test_inplace_on_view_of_leaf():
    check(lambda lib: leaf(lib)[0].add_(1))


def test_inplace_on_leaf_allowed_under_no_grad():
    def scenario(lib):
        x = leaf(lib)
        with lib.no_grad():
            x -= 0.5 * lib.ones(3)
            x.mul_(2)
            x.clamp_(0, 4)
        return x, x.is_leaf, x.requires_grad

    check(scenario)


@pytest.mark.parametrize("op", ["add_", "sub_", "mul_", "div_"])
def test_inplace_ops_on_non_leaf_record_gradient(op):
    def scenario(lib):
        x = leaf(lib)
        w = leaf(lib, (0.5, -1.0, 2.0))
        y = x * 1
        getattr(y, op)(w)
        y.sum().backward()
        return y, x.grad, w.grad

    check(scenario)


@pytest.mark.parametrize("op", ["__iadd__", "__isub__", "__imul__", "__itruediv__"])
def test_augmented_assignment_records_gradient(op):
    def scenario(lib):
        x = leaf(lib)
        y = x * 1
        y = getattr(y, op)(x)
        y.sum().backward()
        return y, x.grad

    check(scenario)


def test_inplace_makes_constant_require_grad():
    def scenario(lib):
        w = leaf(lib)
        acc = lib.zeros(3)
        acc += w * 2
        acc.sum().backward()
        return acc, acc.is_leaf, w.grad

    check(scenario)


def test_version_counter_catches_modified_saved_tensor():
    def scenario(lib):
        x = leaf(lib)
        a = x * 1
        b = a * a
        a.add_(1)
        b.sum().backward()

    check(scenario)


def test_version_counter_catches_modified_output():
    def scenario(lib):
        x = leaf(lib)
        y = x.exp()
        y.add_(1)
        y.sum().backward()

    check(scenario)


def test_version_increments():
    def scenario(lib):
        x = lib.ones(3)
        v0 = x._version
        x.add_(1)
        x[0] = 5
        x.zero_()
        return v0, x._version

    check(scenario)


def test_setitem_records_gradient():
    def scenario(lib):
        x = leaf(lib)
        w = lib.tensor(10.0, requires_grad=True)
        y = x * 2
        y[1] = w * 3
        y.sum().backward()
        return y, x.grad, w.grad

    check(scenario, compare_grad_fn=False)


def test_setitem_on_leaf_requiring_grad():
    def scenario(lib):
        x = leaf(lib)
        x[0] = 1.0

    check(scenario)


def test_copy_fill_zero_under_no_grad():
    def scenario(lib):
        x = leaf(lib)
        with lib.no_grad():
            x.copy_(lib.tensor([4.0, 5.0, 6.0]))
            a = x.clone()
            x.fill_(2.0)
            b = x.clone()
            x.zero_()
        return a, b, x

    check(scenario)


def test_inplace_dtype_cannot_narrow():
    def scenario(lib):
        x = lib.tensor([1, 2])
        x += 1.5

    check(scenario)


def test_inplace_cannot_broadcast_self():
    def scenario(lib):
        x = lib.ones(3)
        x += lib.ones(2, 3)

    check(scenario)


def test_deepcopy_of_leaf_and_non_leaf():
    import copy

    def scenario(lib):
        x = leaf(lib)
        c = copy.deepcopy(x)
        return c, c is x

    check(scenario)
    check(lambda lib: copy.deepcopy(leaf(lib) * 2))


def test_numpy_shares_memory():
    def scenario(lib):
        x = lib.zeros(3)
        n = x.numpy()
        n[0] = 5
        return x

    check(scenario)


def test_scalar_conversion_rules():
    check(lambda lib: float(lib.tensor([1.0, 2.0])))
    check(lambda lib: int(lib.tensor([1, 2])))
    # torch warns about requires_grad here once per process, so only the value is compared
    check(lambda lib: float(lib.tensor([1.5], requires_grad=True)), warnings_too=False)


def test_operators_refuse_lists_strings_and_none():
    check(lambda lib: (lib.ones(3) == None, lib.ones(3) != "a"))  # noqa: E711
    check(lambda lib: lib.ones(3) + [1.0, 2.0, 3.0])
    check(lambda lib: lib.ones(3) + None)
    check(lambda lib: lib.ones(3) < None)


def test_new_factories_keep_dtype():
    def scenario(lib):
        x = lib.tensor([1.0], dtype=lib.float64)
        return x.new_zeros(2, 3), x.new_ones((2,)), x.new_full((2,), 7.0), x.new_tensor([1, 2]), x.new_empty(0)

    check(scenario)


def test_result_type_and_promote_types_exported():
    check(lambda lib: (lib.result_type(lib.tensor([1]), 2.5), lib.promote_types(lib.uint8, lib.int8)))


def test_leaf_grads_never_alias_each_other_or_the_given_gradient():
    def scenario(lib):
        x, w = leaf(lib), leaf(lib)
        g = lib.tensor([1.0, 2.0, 3.0])
        (x + w).backward(g)  # AddBackward0 hands the same gradient to both inputs
        x.grad.zero_()
        (x * 1).backward(g)
        x.grad.mul_(10)
        return x.grad, w.grad, g

    check(scenario)
