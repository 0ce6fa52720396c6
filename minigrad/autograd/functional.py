"""torch.autograd.functional: whole Jacobians and Hessians of a function, built from reverse mode.

jacobian asks ``autograd.grad`` for one row at a time: the gradient of each output element with
respect to every input, keeping the graph between rows. That is the "build J row by row" of the
course, as one call. hessian is the Jacobian of the gradient, itself taken with create_graph.
"""
from __future__ import annotations

from . import grad as _grad
from .grad_mode import enable_grad


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """d func(*inputs) / d inputs. With one input and one output, a tensor of shape
    ``output.shape + input.shape``; with a tuple of inputs or of outputs, a tuple over them (outputs
    first, then inputs)."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function has '
            'more outputs than inputs, "forward-mode" tends to be more performant. Otherwise, prefer to use '
            '"reverse-mode".'
        )
    if strategy == "forward-mode":
        raise NotImplementedError(
            "Computing Jacobian using forward-AD or forward-over-reverse Hessian isonly implemented for "
            "`vectorize=True`. minigrad has reverse mode only: use strategy='reverse-mode'."
        )
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    with enable_grad():
        inputs = _differentiable(inputs, create_graph)
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jacobian")
        if strict:
            _require_grad(outputs)
        result = tuple(tuple(_rows(out, i, inputs, create_graph, strict)) for i, out in enumerate(outputs))
    if not inputs_tuple:
        result = tuple(row[0] for row in result)
    return result if outputs_tuple else result[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The second derivatives of a function with one output element: the Jacobian of its gradient.
    With one input, a tensor of shape ``input.shape + input.shape``; with a tuple of inputs, a tuple of
    tuples (one block per pair of inputs)."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def single_output(*xs):
        out = func(*xs)
        out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        if strict:
            _require_grad(outs)
        if out_tuple:
            raise RuntimeError("The function given to hessian should return a single Tensor. A Hessian is "
                               "of one number: return a scalar, e.g. loss.sum().")
        if out.numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single "
                               "element. A Hessian is of one number: reduce the output, e.g. with .sum().")
        return out.squeeze()

    def gradient(*xs):
        jac = jacobian(single_output, xs, create_graph=True)
        for i, block in enumerate(jac):
            if strict and not block.requires_grad:
                raise RuntimeError(
                    "While computing the hessian, found that the jacobian of the user-provided function with "
                    f"respect to input {i} is independent of the input. This is not allowed in strict mode. "
                    "You should ensure that your function is twice differentiable and that the jacobian "
                    "depends on the inputs (this would be violated by a linear function for example)."
                )
        return jac

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                      strategy=outer_jacobian_strategy)
    return result if inputs_tuple else result[0][0]


def _as_tuple(value, what: str, function: str) -> tuple:
    """(whether it was a tuple, its tensors as a tuple), refusing anything but tensors, as torch does."""
    from .. import Tensor

    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, v in enumerate(values):
        if not isinstance(v, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {what}"
            raise TypeError(f"The {what} given to {function} must be either a Tensor or a tuple of Tensors but "
                            f"{where} has type {type(v)}. Wrap numbers with minigrad.tensor(...).")
    return is_tuple, values


def _require_grad(outputs: tuple) -> None:
    """strict mode: every output must depend on the inputs through recorded ops."""
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(f"Output {i} of the user-provided function does not require gradients. The "
                               "outputs must be computed in a differentiable manner from the input when "
                               "running in strict mode.")


def _differentiable(inputs: tuple, create_graph: bool) -> tuple:
    """Inputs to differentiate with respect to: detached copies that require grad, or, when the result
    itself is to be differentiated (create_graph), views that keep the inputs' own graph."""
    return tuple(x.view_as(x) if create_graph and x.requires_grad else x.detach().requires_grad_(True)
                 for x in inputs)


def _rows(out, i: int, inputs: tuple, create_graph: bool, strict: bool) -> list:
    """The blocks d out / d input_j, each of shape out.shape + input_j.shape, one output element at a time."""
    from .. import stack, zeros_like

    flat = out.reshape(-1)
    rows = [[] for _ in inputs]
    for k in range(flat.numel()):
        grads = (None,) * len(inputs)
        if out.requires_grad:
            grads = _grad(flat[k], inputs, retain_graph=True, create_graph=create_graph, allow_unused=True)
        for j, (g, x) in enumerate(zip(grads, inputs)):
            if g is None:
                if strict:
                    raise RuntimeError(f"Output {i} of the user-provided function is independent of input {j}. "
                                       "This is not allowed in strict mode.")
                g = zeros_like(x)
            rows[j].append(g)
    return [(stack(r) if r else zeros_like(x).reshape(0, *x.shape)).reshape(*out.shape, *x.shape)
            for r, x in zip(rows, inputs)]
