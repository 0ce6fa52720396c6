"""gradcheck / gradgradcheck: right answers on right gradients, useful reports on wrong ones.

Every check runs on minigrad; tests marked ``torch`` also run torch.autograd.gradcheck on the same
function and inputs and demand the same verdict (and, on torch tensors, the same message head).
"""
import importlib
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck

TORCH_WARNING = (
    "Input #0 requires gradient and is not a double precision floating point or complex. "
    "This check will likely fail if all the inputs are not of double precision floating point "
    "or complex. "
)


def leaf(engine, array, requires_grad=True, dtype="float64"):
    return engine.tensor(np.asarray(array), dtype=getattr(engine, dtype),
                         requires_grad=requires_grad)


def square_function(engine, mistake=None):
    """A custom Function computing a * a, whose backward can be deliberately wrong."""

    class Square(engine.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            right = 2 * a * grad
            if mistake == "doubled":
                return 2 * right
            if mistake == "halved":
                return a * grad
            if mistake == "negated":
                return -right
            if mistake == "zero":
                return right * 0
            if mistake == "ignores_grad_output":
                return 2 * a
            if mistake == "detached":  # right first derivative, no second derivative
                return 2 * a.detach() * grad
            return right

    return Square


# (name, function of (engine, *inputs), list of input arrays, which inputs require grad)
RNG = np.random.default_rng(1)
CASES = [
    ("sin_times", lambda e, a, b: a.sin() * b, [RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))]),
    ("matmul", lambda e, a, b: a @ b, [RNG.normal(size=(2, 3)), RNG.normal(size=(3, 4))]),
    ("tuple_out", lambda e, a, b: (a * b, (a + b).exp()), [RNG.normal(size=3), RNG.normal(size=3)]),
    ("scalar_out", lambda e, a: (a ** 3).sum(), [RNG.normal(size=(2, 2))]),
    ("zero_dim", lambda e, a: a.tanh(), [np.array(0.3)]),
    ("softmax", lambda e, a: a.softmax(dim=1), [RNG.normal(size=(2, 3))]),
    ("broadcast", lambda e, a, b: a + b, [RNG.normal(size=(2, 3)), RNG.normal(size=3)]),
    ("relu_kink", lambda e, a: a.relu(), [np.array([-1.0, 0.0, 2.0])]),
    ("square", lambda e, a: square_function(e).apply(a), [RNG.normal(size=4)]),
    ("doubled", lambda e, a: square_function(e, "doubled").apply(a), [RNG.normal(size=4)]),
    ("negated", lambda e, a: square_function(e, "negated").apply(a), [RNG.normal(size=4)]),
    ("halved", lambda e, a: square_function(e, "halved").apply(a), [RNG.normal(size=4)]),
    ("zero", lambda e, a: square_function(e, "zero").apply(a), [RNG.normal(size=4)]),
    ("ignores_grad_out", lambda e, a: square_function(e, "ignores_grad_output").apply(a).sum(),
     [RNG.normal(size=3)]),
    ("detached_graph", lambda e, a: a.detach() * a, [RNG.normal(size=3)]),
]


def run(engine, case, check=gradcheck):
    _, fn, arrays = case
    inputs = tuple(leaf(engine, a) for a in arrays)
    return check(lambda *xs: fn(engine, *xs), inputs, raise_exception=False)


# -- verdicts agree with torch ----------------------------------------------------------------------

@pytest.mark.torch
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_same_verdict_as_torch(case):
    torch = pytest.importorskip("torch")
    expected = run(torch, case, check=torch.autograd.gradcheck)
    assert run(minigrad, case) == expected
    assert run(torch, case) == expected  # our check on torch's tensors, too


@pytest.mark.torch
@pytest.mark.parametrize("mistake", ["doubled", "negated", "zero"])
def test_message_head_is_torchs(mistake):
    torch = pytest.importorskip("torch")
    x = leaf(torch, RNG.normal(size=(2, 2)))
    fn = square_function(torch, mistake).apply
    with pytest.raises(RuntimeError) as theirs:
        torch.autograd.gradcheck(fn, (x,))
    with pytest.raises(GradcheckError) as ours:
        gradcheck(fn, (x,))
    assert str(ours.value).startswith(str(theirs.value))


@pytest.mark.torch
@pytest.mark.parametrize("case", [c for c in CASES if c[0] in ("sin_times", "matmul", "square")],
                         ids=lambda c: c[0])
def test_gradgradcheck_same_verdict_as_torch(case):
    torch = pytest.importorskip("torch")
    expected = run(torch, case, check=torch.autograd.gradgradcheck)
    assert expected is True
    assert run(minigrad, case, check=gradgradcheck) is True


@pytest.mark.torch
def test_gradgradcheck_catches_missing_second_derivative_like_torch():
    torch = pytest.importorskip("torch")
    case = ("detached", lambda e, a: square_function(e, "detached").apply(a), [RNG.normal(size=3)])
    assert run(torch, case, check=torch.autograd.gradcheck) is True
    assert run(torch, case, check=torch.autograd.gradgradcheck) is False
    assert run(minigrad, case) is True
    assert run(minigrad, case, check=gradgradcheck) is False


@pytest.mark.torch
def test_float32_warning_is_torchs():
    torch = pytest.importorskip("torch")
    x = leaf(torch, [1.0, 2.0], dtype="float32")
    with pytest.warns(UserWarning) as theirs:
        torch.autograd.gradcheck(lambda a: a * 2, (x,), raise_exception=False)
    with pytest.warns(UserWarning) as ours:
        gradcheck(lambda a: a * 2, (leaf(minigrad, [1.0, 2.0], dtype="float32"),),
                  raise_exception=False)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]


# -- minigrad alone ---------------------------------------------------------------------------------

@pytest.mark.parametrize("case", [c for c in CASES if c[0] in
                                  ("sin_times", "matmul", "tuple_out", "scalar_out", "zero_dim",
                                   "softmax", "broadcast", "square")], ids=lambda c: c[0])
def test_passes_on_right_gradients(case):
    assert run(minigrad, case) is True


def test_float32_warning_text():
    x = leaf(minigrad, [1.0, 2.0], dtype="float32")
    with pytest.warns(UserWarning) as record:
        assert gradcheck(lambda a: a * 2, (x,), eps=1e-3, atol=1e-2, rtol=1e-2)
    assert [str(w.message) for w in record] == [TORCH_WARNING]


def test_no_warning_for_float64_or_inputs_not_requiring_grad():
    x = leaf(minigrad, [1.0, 2.0])
    c = leaf(minigrad, [3.0, 4.0], requires_grad=False, dtype="float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda a, b: a * b, (x, c))


@pytest.mark.parametrize("mistake, hint", [
    ("doubled", "analytical = 2 x numerical"),
    ("negated", "analytical = -numerical: a sign error"),
    ("halved", "analytical = numerical / 2: a factor of 2 is missing"),
    ("zero", "analytical gradient is all zero although the output changes with this input: "
             "the graph is cut"),
])
def test_wrong_backward_report(mistake, hint):
    x = leaf(minigrad, [[0.5, -1.0, 2.0], [1.5, 3.0, -0.25]])
    with pytest.raises(GradcheckError) as info:
        gradcheck(square_function(minigrad, mistake).apply, (x,))
    text = str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert text.startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:")
    assert "\nanalytical:" in text
    assert "6 of 36 entries" in text
    # the largest |2a| is at a[1][1] = 3.0, on the diagonal of the Jacobian
    assert "Worst entry: input element (1, 1), output element (1, 1)" in text
    assert "numerical  = 6 " in text
    assert f"Hint: {hint}" in text


def test_report_points_at_the_one_wrong_entry():
    class Off(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 3

        @staticmethod
        def backward(ctx, grad):
            wrong = np.zeros((2, 3))
            wrong[1, 2] = 0.5
            return grad * 3 + minigrad.tensor(wrong) * grad

    x = leaf(minigrad, np.arange(6.0).reshape(2, 3))
    with pytest.raises(GradcheckError) as info:
        gradcheck(Off.apply, (x,))
    text = str(info.value)
    assert "1 of 36 entries" in text
    assert "Worst entry: input element (1, 2), output element (1, 2)" in text
    assert "analytical = 3.5 " in text


def test_report_names_output_and_input_among_differentiable_ones():
    c = leaf(minigrad, [1.0, 2.0], requires_grad=False)
    a = leaf(minigrad, [0.5, 0.25])
    b = leaf(minigrad, [2.0, 3.0])

    def fn(c, a, k, b):
        return c * 2, a * b, square_function(minigrad, "negated").apply(b) * k

    with pytest.raises(GradcheckError) as info:
        gradcheck(fn, (c, a, 3.0, b))
    text = str(info.value)
    # c's output does not require grad, so the wrong one is differentiable output 1, and b is the
    # second input that requires grad, argument #3 of fn
    assert text.startswith("Jacobian mismatch for output 1 with respect to input 1,")
    assert "input 1 (argument #3 of func)" in text


def test_returns_false_instead_of_raising():
    x = leaf(minigrad, [1.0, 2.0])
    assert gradcheck(square_function(minigrad, "doubled").apply, x, raise_exception=False) is False
    assert gradcheck(square_function(minigrad).apply, x, raise_exception=False) is True


def test_backward_ignoring_grad_output_is_caught():
    x = leaf(minigrad, [1.0, 2.0])
    fn = lambda a: square_function(minigrad, "ignores_grad_output").apply(a).sum()  # noqa: E731
    with pytest.raises(GradcheckError, match="backward not multiplied by grad_output"):
        gradcheck(fn, (x,))


def test_input_data_is_restored_exactly():
    values = RNG.normal(size=(3, 4)) * 1e3 + 1 / 3  # nothing here survives x + eps - eps exactly
    x = leaf(minigrad, values)
    before = x.detach().numpy().copy()
    assert gradcheck(lambda a: (a * a).sum(), (x,), atol=1e-2)
    after = x.detach().numpy()
    assert after.tobytes() == before.tobytes()
    assert x.grad is None and x.requires_grad and x.is_leaf


def test_input_data_is_restored_when_func_raises():
    x = leaf(minigrad, [0.1, 0.2, 0.3])
    before = x.detach().numpy().copy()
    calls = []

    def fn(a):
        calls.append(1)
        if len(calls) == 3:  # the +eps evaluation of the first element
            raise ValueError("boom")
        return a * 2

    with pytest.raises(ValueError, match="boom"):
        gradcheck(fn, (x,))
    assert x.detach().numpy().tobytes() == before.tobytes()


def test_function_returning_its_input():
    x = leaf(minigrad, [1.0, 2.0])
    assert gradcheck(lambda a: a, (x,))


def test_no_input_requires_grad():
    x = leaf(minigrad, [1.0], requires_grad=False)
    with pytest.raises(ValueError, match="^gradcheck expects at least one input tensor to require"):
        gradcheck(lambda a: a * 2, (x,))


def test_no_differentiable_output():
    x = leaf(minigrad, [1.0, 2.0])
    assert gradcheck(lambda a: minigrad.zeros(2), (x,))
    with pytest.raises(GradcheckError, match="Numerical gradient for function expected to be zero"):
        gradcheck(lambda a: a.detach() * 2, (x,))


def test_nondeterministic_backward():
    state = {"calls": 0}

    class Drifting(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            state["calls"] += 1
            return grad * (2 + 1e-9 * state["calls"])

    x = leaf(minigrad, [1.0, 2.0])
    with pytest.raises(GradcheckError, match="^Backward is not reentrant"):
        gradcheck(Drifting.apply, (x,))
    assert gradcheck(Drifting.apply, (x,), nondet_tol=1e-6)


def test_gradgradcheck_passes_and_fails():
    x = leaf(minigrad, [0.3, -0.7, 1.1])
    assert gradgradcheck(lambda a: (a ** 3).sin(), (x,))
    v = leaf(minigrad, [1.0, -2.0, 0.5])
    assert gradgradcheck(lambda a: a.exp() * a, (x,), (v,))
    assert gradgradcheck(square_function(minigrad, "detached").apply, (x,),
                         raise_exception=False) is False


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(-2, 2), min_size=1, max_size=5), st.sampled_from(["exp", "tanh", "sig"]))
def test_random_smooth_functions_pass(values, which):
    x = leaf(minigrad, values)
    fn = {
        "exp": lambda a: (a.exp() * a).sum(),
        "tanh": lambda a: a.tanh() * a.sin(),
        "sig": lambda a: a.sigmoid() / (1 + a * a),
    }[which]
    assert gradcheck(fn, (x,))


def test_works_without_torch():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "import minigrad\n"
        "from minigrad.autograd.gradcheck import gradcheck, gradgradcheck\n"
        "x = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)\n"
        "assert gradcheck(lambda a: a.sin() * a, (x,))\n"
        "assert gradgradcheck(lambda a: a.sin() * a, (x,))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_exported_from_minigrad_autograd():
    autograd = importlib.import_module("minigrad.autograd")
    assert autograd.gradcheck is gradcheck and autograd.gradgradcheck is gradgradcheck
    assert autograd.GradcheckError is GradcheckError
