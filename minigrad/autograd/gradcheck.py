"""Check gradients against finite differences, as ``torch.autograd.gradcheck`` does.

For every input ``x`` that requires grad and every output ``y`` of ``func``, two Jacobians are
built, each with one row per element of ``x`` and one column per element of ``y``:

* numerical:  ``(f(x + eps) - f(x - eps)) / (2 * eps)``, one input element at a time;
* analytical: ``autograd.grad(y, x, e_j)`` for every one-hot ``e_j``, one column at a time.

They must agree within ``atol + rtol * |numerical|``. When they don't, the error shows both
Jacobians (like torch) and then explains the worst entry in words.

The check only uses the public torch-like API (``.data``, indexing, ``autograd.grad``,
``no_grad``), so it runs on minigrad tensors and, for comparison, on torch tensors too.
"""
from __future__ import annotations

import importlib
import math
import warnings
from typing import Any, Callable

import numpy as np

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck and gradgradcheck when a gradient is wrong."""


# ----------------------------------------------------------------------------------------------
# Public entry points
# ----------------------------------------------------------------------------------------------

def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
) -> bool:
    """Return True if the gradients of ``func`` at ``inputs`` match finite differences."""
    try:
        return _gradcheck(func, inputs, eps=eps, atol=atol, rtol=rtol, nondet_tol=nondet_tol)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
) -> bool:
    """Check second derivatives: gradcheck the map (inputs, v) -> vector-Jacobian product v^T J."""
    inputs = _as_tuple(inputs)
    engine = _engine_of(inputs)
    if grad_outputs is None:
        outputs = [o for o in _as_tuple(func(*inputs)) if o.requires_grad]
        grad_outputs = tuple(_random_like(engine, o) for o in outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_grad_outputs = len(grad_outputs)
    diff_input_positions = [i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad]

    def first_derivative(*args: Any) -> tuple:
        xs = args[: len(args) - n_grad_outputs]
        vs = args[len(args) - n_grad_outputs:]
        outputs = tuple(o for o in _as_tuple(func(*xs)) if o.requires_grad)
        grads = engine.autograd.grad(
            outputs, [xs[i] for i in diff_input_positions], vs,
            create_graph=True, allow_unused=True,
        )
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivative, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
        raise_exception=raise_exception, nondet_tol=nondet_tol,
    )


# ----------------------------------------------------------------------------------------------
# The check itself
# ----------------------------------------------------------------------------------------------

def _gradcheck(func, inputs, *, eps, atol, rtol, nondet_tol) -> bool:
    inputs = _as_tuple(inputs)
    engine = _engine_of(inputs)
    _check_inputs(inputs)
    positions = [i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad]

    outputs = _as_tuple(func(*inputs))
    diff_outputs = [o for o in outputs if o.requires_grad]
    # numerical[k][i]: Jacobian of outputs[i] with respect to inputs[positions[k]]
    numerical = [_numerical_jacobians(engine, func, inputs, p, eps) for p in positions]

    if not diff_outputs:
        # Nothing to differentiate: then the function had better not depend on its inputs.
        for per_input in numerical:
            for jac in per_input:
                if jac is not None and np.any(jac != 0):
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return True

    diff_output_positions = [i for i, o in enumerate(outputs) if o.requires_grad]
    diff_inputs = [inputs[p] for p in positions]
    for i, (out_pos, out) in enumerate(zip(diff_output_positions, diff_outputs)):
        analytical = _analytical_jacobians(engine, out, diff_inputs, nondet_tol)
        for k, a in enumerate(analytical):
            n = numerical[k][out_pos]
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(_mismatch_message(
                    engine, a, n, output_idx=i, input_idx=k, input_position=positions[k],
                    input_shape=tuple(diff_inputs[k].shape), output_shape=tuple(out.shape),
                    eps=eps, atol=atol, rtol=rtol,
                ))

    _check_backward_uses_grad_output(engine, diff_outputs, diff_inputs)
    return True


def _check_inputs(inputs: tuple) -> None:
    any_requires_grad = False
    for idx, x in enumerate(inputs):
        if _is_tensor(x) and x.requires_grad:
            if _np_dtype(x) != np.float64:
                warnings.warn(
                    f"Input #{idx} requires gradient and "
                    "is not a double precision floating point or complex. "
                    "This check will likely fail if all the inputs are "
                    "not of double precision floating point or complex. ",
                    stacklevel=4,
                )
            any_requires_grad = True
    if not any_requires_grad:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, "
            "but none of them have requires_grad=True. "
            "Create the inputs with requires_grad=True (e.g. minigrad.randn(3, dtype="
            "minigrad.float64, requires_grad=True)) so there is a gradient to check."
        )


def _numerical_jacobians(engine, func, inputs: tuple, position: int, eps: float) -> list:
    """Central differences with respect to inputs[position]: one Jacobian per output.

    Each element is nudged in place through ``.data`` (so the graph never sees the nudge) and
    put back to its exact original value afterwards, even if ``func`` raises.
    """
    x = inputs[position]
    shape = tuple(x.shape)
    n_in = math.prod(shape)
    storage = x.data
    jacobians: list = []

    def evaluate() -> list:
        # Copy right away: func may return (a view of) its input, which we are about to nudge.
        return [
            np.array(o.detach().numpy(), copy=True) if _is_tensor(o) else None
            for o in _as_tuple(func(*inputs))
        ]

    def put(idx: tuple, value: float) -> None:
        with engine.no_grad():
            storage[idx] = value

    for row, idx in enumerate(np.ndindex(*shape)):
        with engine.no_grad():
            original = storage[idx].item()
        try:
            put(idx, original - eps)
            before = evaluate()
            put(idx, original + eps)
            after = evaluate()
        finally:
            put(idx, original)
        for out_i, (lo, hi) in enumerate(zip(before, after)):
            if row == 0:
                floating = lo is not None and np.issubdtype(lo.dtype, np.floating)
                jacobians.append(np.zeros((n_in, lo.size), dtype=lo.dtype) if floating else None)
            if jacobians[out_i] is None:
                continue
            if lo.shape != hi.shape:
                raise AssertionError(
                    "Expected `func` to return outputs with the same shape when inputs are "
                    f"perturbed on index {idx} by {eps}, but got: shapes {lo.shape} and {hi.shape}."
                )
            jacobians[out_i][row, :] = ((hi - lo) / (2 * eps)).reshape(-1)
    if n_in == 0:
        jacobians = [
            np.zeros((0, o.size), dtype=o.dtype) if o is not None else None for o in evaluate()
        ]
    return jacobians


def _analytical_jacobians(engine, output, diff_inputs: list, nondet_tol: float) -> list:
    """Backward once per output element (one-hot grad_output); computed twice to catch
    a backward whose result changes between identical calls."""
    first, sizes_ok = _analytical_once(engine, output, diff_inputs)
    second, _ = _analytical_once(engine, output, diff_inputs)
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    for j1, j2 in zip(first, second):
        if j1.size and np.max(np.abs(j1 - j2)) > nondet_tol:
            raise GradcheckError(
                "Backward is not reentrant, i.e., running backward with "
                "same input and grad_output multiple times gives different values, "
                "although analytical gradient matches numerical gradient."
                f"The tolerance for nondeterminism was {nondet_tol}."
                " A backward must be a pure function of what forward saved: look for state"
                " kept between calls, randomness, or in-place changes to saved tensors."
            )
    return first


def _analytical_once(engine, output, diff_inputs: list) -> tuple[list, bool]:
    out_shape = tuple(output.shape)
    n_out = math.prod(out_shape)
    jacobians = [np.zeros((math.prod(tuple(x.shape)), n_out), dtype=_np_dtype(x))
                 for x in diff_inputs]
    sizes_ok = True
    one_hot = np.zeros(n_out, dtype=_np_dtype(output))
    for col in range(n_out):
        one_hot[:] = 0
        one_hot[col] = 1
        grad_output = engine.tensor(one_hot.reshape(out_shape), dtype=output.dtype)
        grads = engine.autograd.grad(
            output, diff_inputs, grad_output, retain_graph=True, allow_unused=True
        )
        for k, (g, x) in enumerate(zip(grads, diff_inputs)):
            if g is None:  # this input does not reach this output: a column of zeros
                continue
            if tuple(g.shape) != tuple(x.shape):
                sizes_ok = False
                continue
            jacobians[k][:, col] = g.detach().numpy().reshape(-1)
    return jacobians, sizes_ok


def _check_backward_uses_grad_output(engine, diff_outputs: list, diff_inputs: list) -> None:
    """A backward that ignores grad_output can pass the one-hot test on a scalar output;
    with all-zero grad_outputs every gradient must be exactly zero."""
    grads = engine.autograd.grad(
        diff_outputs, diff_inputs, [engine.zeros_like(o) for o in diff_outputs],
        allow_unused=True,
    )
    for g, x in zip(grads, diff_inputs):
        if g is None:
            continue
        if np.any(g.detach().numpy() != 0):
            raise GradcheckError(
                "backward not multiplied by grad_output"
                "\nA backward must return grad_output times the local derivative (chain rule);"
                " with grad_output = 0 it returned a non-zero gradient."
            )
        if g.dtype != x.dtype:
            raise GradcheckError("grad is incorrect type")
        if tuple(g.shape) != tuple(x.shape):
            raise GradcheckError("grad is incorrect size")


# ----------------------------------------------------------------------------------------------
# The failure report
# ----------------------------------------------------------------------------------------------

def _mismatch_message(engine, a, n, *, output_idx, input_idx, input_position, input_shape,
                      output_shape, eps, atol, rtol) -> str:
    # First exactly torch's text, so learners can search for it, then the same facts in words.
    head = (
        f"Jacobian mismatch for output {output_idx:d} with respect to input {input_idx:d},\n"
        f"numerical:{engine.tensor(n)}\nanalytical:{engine.tensor(a)}\n"
    )
    dtype = np.result_type(a, n)
    a64, n64 = a.astype(dtype), n.astype(dtype)
    tolerance = atol + rtol * np.abs(n64)
    with np.errstate(invalid="ignore"):
        excess = np.abs(a64 - n64) - tolerance
    bad = ~np.isclose(a64, n64, rtol=rtol, atol=atol)
    excess = np.where(np.isnan(excess), np.inf, excess)
    row, col = np.unravel_index(int(np.argmax(np.where(bad, excess, -np.inf))), a.shape)
    in_index = tuple(int(i) for i in np.unravel_index(row, input_shape)) if input_shape else ()
    out_index = tuple(int(i) for i in np.unravel_index(col, output_shape)) if output_shape else ()
    which = f"input {input_idx}" + (
        f" (argument #{input_position} of func)" if input_position != input_idx else ""
    )
    lines = [
        "",
        f"In words: {int(bad.sum())} of {bad.size} entries of d(output {output_idx})/d({which}) "
        "differ. Rows are input elements, columns output elements (both flattened).",
        f"Worst entry: input element {in_index}, output element {out_index}:",
        f"  numerical  = {n64[row, col]:.6g}   (central difference with eps={eps:g})",
        f"  analytical = {a64[row, col]:.6g}   (from backward)",
        f"  |analytical - numerical| = {abs(a64[row, col] - n64[row, col]):.3g}"
        f" > atol + rtol*|numerical| = {tolerance[row, col]:.3g}",
        "Hint: " + _hint(a64, n64, rtol, atol),
    ]
    return head + "\n".join(lines)


def _hint(a: np.ndarray, n: np.ndarray, rtol: float, atol: float) -> str:
    def matches(expected: np.ndarray) -> bool:
        return bool(np.all(np.isclose(a, expected, rtol=rtol, atol=atol)))

    if np.all(a == 0) and np.any(n != 0):
        return ("analytical gradient is all zero although the output changes with this input: "
                "the graph is cut between them (a detach(), .data, a no_grad() block, or a "
                "value taken out with .item()/.numpy() and put back as a new tensor).")
    if matches(2 * n):
        return ("analytical = 2 x numerical: the gradient is accumulated twice (a backward that "
                "adds its contribution two times, or returns it for two inputs that are the same).")
    if matches(n / 2):
        return ("analytical = numerical / 2: a factor of 2 is missing in a backward, or one of two "
                "uses of the input went through .detach()/.data and is not in the graph.")
    if matches(-n):
        return "analytical = -numerical: a sign error in the backward formula."
    if np.all(n == 0):
        return ("numerical Jacobian is all zero: the output does not change when this input "
                "moves, yet backward returns a gradient for it.")
    if a.dtype != np.float64 or n.dtype != np.float64:
        return ("the tensors are not float64; finite differences with a tiny eps are too coarse "
                "in single precision. Check again with .double() inputs.")
    return ("compare the two matrices above row by row; check the backward formula, and edge "
            "cases such as kinks (relu/abs at 0) or ties (max) where eps crosses a corner.")


# ----------------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------------

def _as_tuple(x: Any) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _engine_of(values: tuple):
    """The library (minigrad or torch) that the tensors among ``values`` come from."""
    for v in values:
        for cls in type(v).__mro__:
            root = cls.__module__.partition(".")[0]
            if root in ("minigrad", "torch"):
                return importlib.import_module(root)
    return importlib.import_module("minigrad")


def _is_tensor(x: Any) -> bool:
    return hasattr(x, "requires_grad") and hasattr(x, "grad_fn")


def _np_dtype(t: Any) -> np.dtype:
    return t.detach().numpy().dtype


def _allclose(a: np.ndarray, n: np.ndarray, rtol: float, atol: float) -> bool:
    dtype = np.result_type(a, n)
    return bool(np.all(np.isclose(a.astype(dtype), n.astype(dtype), rtol=rtol, atol=atol)))


def _random_like(engine, output):
    """Uniform(-1, 1) grad_output of the output's shape (float64 for non-float outputs)."""
    dtype = output.dtype if np.issubdtype(_np_dtype(output), np.floating) else engine.float64
    with engine.no_grad():
        v = engine.rand(tuple(output.shape), dtype=dtype) * 2 - 1
    return v.requires_grad_()
