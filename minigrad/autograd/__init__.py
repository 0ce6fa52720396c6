"""minigrad.autograd: the backward pass and its tools, with torch.autograd's names.

``backward`` fills ``.grad`` of leaves; ``grad`` returns gradients without touching ``.grad``.
"""
from __future__ import annotations

import warnings

import numpy as np

from . import engine, grad_mode
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .engine import run_backward
from .function import Function
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled

_CREATE_GRAPH_CYCLE = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter and its "
    "gradient which can cause a memory leak. We recommend using autograd.grad when creating the graph to "
    "avoid this. If you have to use this function, make sure to reset the .grad fields of your parameters "
    "to None after use to break the cycle and avoid the leak."
)


def _as_tuple(x) -> tuple:
    if x is None:
        return ()
    if isinstance(x, engine._Tensor):
        return (x,)
    return tuple(x)


def implicit_gradient(out):
    """The gradient a one-element output starts with when none is given: 1, outside any graph."""
    data = out._data
    one = np.array(1, data.dtype)
    return engine._Tensor._make(one if data.ndim == 0 else one.reshape(data.shape))


def _root_grads(outputs, grad_outputs, create_graph: bool) -> list:
    """The gradient each output starts with: given, or 1 for a single-element output."""
    Tensor = engine._Tensor  # set once minigrad.Tensor exists (this package is imported first)
    if len(grad_outputs) == 0:
        grad_outputs = (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad requires one gradient per output: got {len(grad_outputs)} tensors and {len(outputs)} "
            "gradients. Give one gradient per output, in the same order."
        )
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not out._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn. Nothing it "
                "was computed from requires grad (or it was computed under no_grad), so there is no graph "
                "to go back through."
            )
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs. For a non-scalar output, "
                    "pass gradient= a tensor of its shape (the vector in the vector-Jacobian product), "
                    "or reduce it first, e.g. y.sum().backward()."
                )
            grads.append(implicit_gradient(out))
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f"gradients must be Tensors or None, got {type(g).__name__}")
        elif g.shape != out.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] has a shape "
                f"of {out.shape}. The gradient given for an output must have that output's shape."
            )
        if not create_graph:
            g = g.detach()
        grads.append(g)
    return grads


def _node(t):
    return t._grad_fn if t._grad_fn is not None else t._accumulator()


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None) -> None:
    """Accumulate d(tensors)/d(leaf) into ``.grad`` of every leaf (or only of ``inputs``)."""
    outputs = _as_tuple(tensors)
    grads = _root_grads(outputs, _as_tuple(grad_tensors), create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph and inputs is None:
        warnings.warn(_CREATE_GRAPH_CYCLE, UserWarning, stacklevel=3)
    roots = [_node(t) for t in outputs]
    if inputs is None:
        run_backward(roots, grads, retain_graph=retain_graph, create_graph=create_graph)
        return
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError(
            "`inputs` argument to `backward()` cannot be empty. Leave it out to fill every leaf's .grad."
        )
    capture = {_node(t): [] for t in inputs}
    run_backward(roots, grads, retain_graph=retain_graph, create_graph=create_graph,
                 capture=capture, accumulate=False)
    from .engine import _accumulate

    with grad_mode.set_grad_enabled(create_graph):
        for t in dict.fromkeys(inputs):
            for g in capture[_node(t)]:
                _accumulate(t, g, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """d(outputs)/d(inputs), returned as a tuple; no ``.grad`` field is changed."""
    from .._factories import zeros_like

    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = _root_grads(outputs, _as_tuple(grad_outputs), create_graph)  # (torch checks the outputs first)
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError(
                "One of the differentiated Tensors does not require grad. Only tensors with "
                "requires_grad=True (or computed from one) can be differentiated with respect to."
            )
    if retain_graph is None:
        retain_graph = create_graph
    capture = {_node(t): [] for t in inputs}
    run_backward([_node(t) for t in outputs], grads, retain_graph=retain_graph,
                 create_graph=create_graph, capture=capture, accumulate=False)
    result = []
    for i, t in enumerate(inputs):
        found = capture[_node(t)]
        if not found:
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior. The outputs do not depend on "
                    "it, so its gradient does not exist (it is not zero)."
                )
            result.append(zeros_like(t) if materialize_grads else None)
        else:
            result.append(found[0])
    return tuple(result)


try:  # the learner tools live in their own modules
    from .gradcheck import GradcheckError, gradcheck, gradgradcheck
except ImportError:  # pragma: no cover - only while the module is being written
    pass
from . import functional  # noqa: E402  (it uses grad, above)

__all__ = [
    "Function", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "inference_mode", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "gradcheck",
    "gradgradcheck", "GradcheckError", "grad_mode", "functional",
]
