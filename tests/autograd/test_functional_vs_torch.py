"""autograd.functional.jacobian and hessian against torch: values, the shape and nesting of the result
for one or several inputs and outputs, create_graph, strict mode and the refusals."""
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from tests.differential import check  # noqa: E402


def x(lib):
    return lib.tensor([1.0, 2.0])


def m(lib):
    return lib.tensor([[1.0, -2.0], [3.0, 0.5]])


def F(lib):
    return lib.autograd.functional


JACOBIANS = {
    "square": lambda lib: F(lib).jacobian(lambda a: a**2, x(lib)),
    "0-d": lambda lib: F(lib).jacobian(lambda a: a.exp() * a, lib.tensor(3.0)),
    "to a number": lambda lib: F(lib).jacobian(lambda a: (a**3).sum(), x(lib)),
    "two inputs": lambda lib: F(lib).jacobian(lambda a, b: a @ b, (x(lib), m(lib))),
    "two outputs": lambda lib: F(lib).jacobian(lambda a: (a * 2, a.sum()), x(lib)),
    "two and two": lambda lib: F(lib).jacobian(lambda a, b: (a * b[0], (b @ a).sum()), (x(lib), m(lib))),
    "unused input": lambda lib: F(lib).jacobian(lambda a, b: a.sin(), (x(lib), m(lib))),
    "constant output": lambda lib: F(lib).jacobian(lambda a: lib.ones(3), x(lib)),
    "softmax": lambda lib: F(lib).jacobian(lambda a: a.softmax(0), x(lib)),
    "create_graph": lambda lib: F(lib).jacobian(lambda a: a**3, x(lib), create_graph=True),
    "input requires grad": lambda lib: F(lib).jacobian(lambda a: a**3, lib.tensor([1.0, 2.0], requires_grad=True)),
    "vectorize": lambda lib: F(lib).jacobian(lambda a: a**2, x(lib), vectorize=True),
    # refusals
    "strict unused input": lambda lib: F(lib).jacobian(lambda a, b: a * 2, (x(lib), m(lib)), strict=True),
    "strict constant output": lambda lib: F(lib).jacobian(lambda a: lib.ones(2), x(lib), strict=True),
    "output a number": lambda lib: F(lib).jacobian(lambda a: 3.0, x(lib)),
    "output a list": lambda lib: F(lib).jacobian(lambda a: [a], x(lib)),
    "input a list": lambda lib: F(lib).jacobian(lambda a: a * 2, [1.0]),
    "input in a tuple a list": lambda lib: F(lib).jacobian(lambda a, b: a * 2, (x(lib), [1.0])),
    "integer input": lambda lib: F(lib).jacobian(lambda a: a * 2, lib.tensor([1, 2])),
    "forward-mode": lambda lib: F(lib).jacobian(lambda a: a**2, x(lib), strategy="forward-mode"),
    "unknown strategy": lambda lib: F(lib).jacobian(lambda a: a**2, x(lib), strategy="sideways"),
}

HESSIANS = {
    "cube": lambda lib: F(lib).hessian(lambda a: (a**3).sum(), x(lib)),
    "quadratic form": lambda lib: F(lib).hessian(lambda a: a @ m(lib) @ a, x(lib)),
    "two inputs": lambda lib: F(lib).hessian(lambda a, b: a @ b @ a, (x(lib), m(lib))),
    "logsumexp": lambda lib: F(lib).hessian(lambda a: a.logsumexp(0), x(lib)),
    "linear": lambda lib: F(lib).hessian(lambda a: (a * 2).sum(), x(lib)),
    "create_graph": lambda lib: F(lib).hessian(lambda a: (a**4).sum(), x(lib), create_graph=True),
    # refusals
    "not one element": lambda lib: F(lib).hessian(lambda a: a**3, x(lib)),
    "a tuple": lambda lib: F(lib).hessian(lambda a: (a.sum(), a.sum()), x(lib)),
    "strict linear": lambda lib: F(lib).hessian(lambda a: (a * 2).sum(), x(lib), strict=True),
    "strict constant": lambda lib: F(lib).hessian(lambda a: lib.tensor(1.0), x(lib), strict=True),
}


@pytest.mark.parametrize("name", sorted(JACOBIANS))
def test_jacobian(name):
    check(JACOBIANS[name])


@pytest.mark.parametrize("name", sorted(HESSIANS))
def test_hessian(name):
    check(HESSIANS[name])


def test_jacobian_with_create_graph_can_be_differentiated():
    def scenario(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        jac = F(lib).jacobian(lambda v: v**3, a, create_graph=True)
        jac.sum().backward()
        return jac, a.grad

    check(scenario)


def test_the_lessons_row_by_row_jacobian_is_the_same():
    # lesson 4 builds J with autograd.grad(y[i], x, retain_graph=True), one row at a time
    def scenario(lib):
        a = lib.tensor([2.0, 3.0], requires_grad=True)
        y = lib.stack([a[0] * a[1], a[0] + a[1]])
        rows = lib.stack([lib.autograd.grad(y[i], a, retain_graph=True)[0] for i in range(2)])
        return rows, F(lib).jacobian(lambda v: lib.stack([v[0] * v[1], v[0] + v[1]]), a.detach())

    check(scenario)
