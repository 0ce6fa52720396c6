"""The backward pass: walk the graph from the outputs, call each node's vector-Jacobian product.

Iterative, never recursive, so a chain of a million nodes is fine. Two passes:
1. count, for every node reachable from the outputs, how many edges lead into it (its dependencies);
2. start from the outputs; a node runs once all gradients flowing into it have arrived (its count
   reaches zero); its results are summed into the buffers of the nodes it points to.
Gradients are summed back to each input's shape and dtype here, once, not in every op.
"""
from __future__ import annotations

import sys
import warnings

import numpy as np

from .._quietly import SCALAR_OPS, quietly, quietly_in_place, silently
from . import anomaly_mode, grad_mode
from .function import AccumulateGrad, BackwardNode, NodePreHook


def run_backward(roots, root_grads, *, retain_graph: bool, create_graph: bool,
                 capture=None, accumulate: bool = True):
    """Backpropagate ``root_grads`` from the nodes ``roots``.

    ``root_grads`` are tensors; without ``create_graph`` they may be arrays (0-d ones NumPy scalars).

    ``capture`` maps nodes to a slot list: the total gradient arriving at such a node is stored
    there (``autograd.grad`` and ``backward(inputs=...)``), and only nodes on a path to a captured
    node run. With ``accumulate`` False, leaves' ``.grad`` is left alone.

    Without ``create_graph`` nothing of this pass is recorded, so gradients travel as bare NumPy arrays
    and ops that have one use their ``vjp`` (the same formula on arrays); tensors are made only where
    someone sees a gradient (hooks, ``.grad``, captured results). A gradient of a 0-d tensor travels as
    the NumPy scalar a vjp's arithmetic gives: NumPy computes with scalars faster than with 0-d arrays,
    and the tutorials' loops are made of 0-d tensors. With ``create_graph``, gradients are tensors and
    every formula runs as tensor ops, so that the backward pass is itself a graph.
    """
    arrays = not create_graph
    # set_grad_enabled(create_graph) for the pass, written out: the context manager object costs
    # as much as a whole node of a small graph
    state = grad_mode._state
    previous, state["grad"] = state["grad"], bool(create_graph)
    try:
        dependencies = _count_dependencies(roots)
        if capture is not None:
            needed = _needed_nodes(dependencies.keys() | set(roots), capture)
        buffers: dict = {}
        ready = []
        for node, grad in zip(roots, root_grads):
            if arrays and type(grad) is _Tensor:  # (Tensor.backward hands over a bare one already)
                grad = grad._data if grad._data.ndim else grad._data[()]  # 0-d: a NumPy scalar, see above
            if node in buffers:  # a root given twice
                buffers[node] = _sum(buffers[node], grad)
            else:
                buffers[node] = grad
                if node not in dependencies:  # no other root leads to it: it can run first
                    ready.append(node)

        while ready:
            node = ready.pop()
            grad = buffers.pop(node)
            if node._pre_hooks is not None or node._retained is not None:
                grad = _run_pre_hooks(node, grad, arrays)
                if grad is None:  # a pre-hook of the node dropped it: nothing flows from here
                    _skip(node, buffers, dependencies, ready)
                    continue
            if capture is not None:
                if node in capture:
                    capture[node].append(_tensor_of(grad) if arrays else grad)
                if node not in needed:
                    continue
            if type(node) is AccumulateGrad:
                if accumulate:
                    variable = node.variable
                    if arrays and variable._hooks is None and variable._post_accumulate_hooks is None:
                        _accumulate_array(variable, grad)  # the training step's case: no tensor to show
                    else:
                        if arrays:
                            grad = _tensor_of(grad)  # now only that tensor holds the array
                        _accumulate(variable, grad, create_graph)
                continue

            grads = _vjp(node, grad) if arrays else node.apply(grad)
            if node._post_hooks:
                grads = _run_post_hooks(node, grads, grad, arrays)
            if anomaly_mode._enabled:
                _check_anomaly(node, grads)
            if not retain_graph and (node._saved is not None or node._saved_output is not None):
                node._release()
            _propagate(node, grads, buffers, dependencies, ready, arrays)
            grads = None  # a leaf's gradient that only the buffers hold can become its .grad uncopied
    finally:
        state["grad"] = previous


def _vjp(node, grad):
    """The node's gradients as arrays: its ``vjp`` on arrays, or else its ``backward`` on tensors."""
    vjp = node._vjp
    if vjp is not None:
        grads = silently(vjp, node, grad)  # NumPy's overflow warnings off, as in every op
        if grads is not None:  # None: the formula does not apply to these inputs (e.g. mixed dtypes)
            return grads if type(grads) is tuple else (grads,)
    return tuple(g if g is None else _array_of(node, g) for g in node.apply(_tensor_of(grad)))


def _propagate(node: BackwardNode, grads, buffers, dependencies, ready, arrays: bool) -> None:
    shapes = node._input_shapes  # one per argument of forward (a node's _edges may end in a None more)
    if len(grads) != len(shapes):
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients (expected "
            f"{len(shapes)}, got {len(grads)}). backward must return one gradient per "
            "input of forward, None for inputs that need none."
        )
    # (zip stops at the last input that needs a gradient: _input_dtypes goes no further)
    for parent, g, shape, dtype in zip(node._edges, grads, shapes, node._input_dtypes):
        if parent is None:
            continue
        if g is not None:
            # most gradients already have their input's shape and dtype: skip the call that fits them
            if arrays:
                if g.shape != shape:
                    g = sum_to_shape(g, shape)
                if g.dtype.char != dtype:
                    g = _fit_to_input(node, _tensor_of(g), shape, dtype)._data
            elif type(g) is not _Tensor or g._data.shape != shape or g._data.dtype.char != dtype:
                g = _fit_to_input(node, g, shape, dtype)
            buffers[parent] = _sum(buffers[parent], g) if parent in buffers else g
        remaining = dependencies[parent] - 1
        dependencies[parent] = remaining
        if remaining == 0:
            if parent in buffers:
                ready.append(parent)
            else:
                # no gradient arrived at all (every path gave None): nothing flows further
                _skip(parent, buffers, dependencies, ready)


def _tensor_of(grad) -> "_Tensor":
    """A gradient of the array pass as a tensor, for whoever sees it (hooks, .grad, results)."""
    return _Tensor._make(grad if type(grad) is np.ndarray else np.asarray(grad))


def _sum(a, b):
    """Two gradients for the same input: arrays or tensors, added without NumPy's warnings."""
    if type(a) is np.ndarray:
        return quietly(np.add, a, b)
    if isinstance(a, _Tensor):
        return a + b
    return silently(SCALAR_OPS[np.add], a, b)  # NumPy scalars (0-d gradients): no ufunc call


def _array_of(node, g) -> np.ndarray:
    _require_tensor(node, g)
    return g._data


def _require_tensor(node, g) -> None:
    if not isinstance(g, _Tensor):
        raise TypeError(
            f"function {node.name()} returned a gradient of type {type(g).__name__}; backward must "
            "return Tensors (or None)."
        )


def _skip(start, buffers, dependencies, ready) -> None:
    stack = [start]
    while stack:
        node = stack.pop()
        for parent in node._edges:
            if parent is None:
                continue
            dependencies[parent] -= 1
            if dependencies[parent] == 0:
                (ready if parent in buffers else stack).append(parent)


def sum_to_shape(x: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum a broadcast array back to ``shape``: over the leading dims it gained and the dims of size 1
    it was stretched along (the gradient of a broadcast input; ``sum_to_size`` computes this too)."""
    lead = x.ndim - len(shape)
    if lead and x.shape[lead:] == shape:  # leading dims only (a bias): no dims of size 1 to look for
        return x.sum(axis=0 if lead == 1 else tuple(range(lead)))
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1
    )
    if not axes:
        return x.reshape(shape)
    # the array's own sum: np.sum's dispatch costs more than the sum of a small gradient
    return x.sum(axis=axes, keepdims=True).reshape(shape)


def _fit_to_input(node, g, shape: tuple, code: str):
    """Sum a broadcast gradient back to the input's shape and cast it to the input's dtype (its code)."""
    _require_tensor(node, g)
    dtype = np.dtype(code)
    if g._data.shape != shape:
        g = g.sum_to_size(shape)
    if g._data.dtype != dtype:
        g = g.to(dtype)
    return g


_Tensor = None  # minigrad.Tensor, set by _tensor.py (this module is imported before it exists)
_type_name = None  # and its torch.typename, "minigrad.FloatTensor"


def _count_dependencies(roots) -> dict:
    """Number of edges into each node reachable from the roots, found with an explicit stack (no recursion).

    A node enters the dict when its first edge is found, so the dict is also the set of nodes seen.
    """
    dependencies: dict = {}
    roots = set(roots)
    stack = list(roots)
    while stack:
        node = stack.pop()
        for parent in node._edges:
            if parent is None:
                continue
            if parent in dependencies:
                dependencies[parent] += 1
            else:
                dependencies[parent] = 1
                if parent not in roots:  # a root is on the stack already
                    stack.append(parent)
    return dependencies


def _needed_nodes(reachable, capture) -> set:
    """Nodes from which a captured node can be reached: only those have to run."""
    children: dict = {}
    for node in reachable:
        for parent in node._edges:
            if parent is not None:
                children.setdefault(parent, []).append(node)
    needed = set()
    stack = list(capture)
    while stack:
        node = stack.pop()
        for child in children.get(node, ()):
            if child not in needed:
                needed.add(child)
                stack.append(child)
    return needed


def _run_pre_hooks(node, grad, arrays: bool):
    """The hooks before a node, in torch's order: those of its output tensor, then retain_grad's copy,
    then the node's own (which see and return a tuple). None: a node's hook dropped the gradient."""
    if arrays:
        grad = _tensor_of(grad)  # hooks see tensors
    hooks = list((node._pre_hooks or {}).values())
    for hook in hooks:
        if type(hook) is not NodePreHook:
            result = hook(grad)
            if result is not None:
                grad = _replacement(hook, result, grad)
    retained = node._retained
    if retained is not None:
        tensor = retained()
        if tensor is not None:
            _accumulate(tensor, grad, grad_mode._state["grad"])
    for hook in hooks:
        if type(hook) is NodePreHook:
            result = hook.fn((grad,))
            if result is not None:
                (grad,) = _replacements(hook.fn, result, (grad,))
                if grad is None:
                    return None
    return _array_of(node, grad) if arrays else grad


def _run_post_hooks(node, grads, grad, arrays: bool) -> tuple:
    """A node's hooks after its backward: they see the gradients of the inputs torch lists (see
    next_functions), not of forward's numbers and flags, and may replace them."""
    listed = node._listed_positions()
    inputs = tuple(grads[i] if i < len(grads) else None for i in listed)
    if arrays:  # hooks see tensors
        inputs = tuple(g if g is None else _tensor_of(g) for g in inputs)
        grad = _tensor_of(grad)
    for hook in list(node._post_hooks.values()):
        result = hook(inputs, (grad,))
        if result is not None:
            inputs = _replacements(hook, result, inputs)
    grads = list(grads)
    for i, g in zip(listed, inputs):
        if i < len(grads):  # (a backward that returned too few: _propagate says so)
            grads[i] = g if g is None or not arrays else _array_of(node, g)
    return tuple(grads)


def _replacement(hook, new, old):
    """What a hook returned instead of the gradient ``old``, refused as torch refuses it."""
    if not isinstance(new, _Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'. A hook returns the "
                        "gradient to use instead (a tensor), or None to keep it.")
    name = _hook_name(hook)
    if old is not None and new.shape != old.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value. A hook may change a gradient's "
                           "values, not its shape: the gradient must still fit its tensor.")
    if old is not None and new.dtype != old.dtype:
        raise RuntimeError(
            f"hook '{name}' has changed the type of value (was {_type_name(old)} got {_type_name(new)}). "
            "A hook may change a gradient's values, not its dtype: convert with .to(g.dtype)."
        )
    return new


def _hook_name(hook) -> str:
    return getattr(hook, "__name__", "<unknown>")  # as torch names a hook (a lambda is '<lambda>')


def _replacements(hook, new, old: tuple) -> tuple:
    """What a node's hook returned instead of the gradients ``old``: a tuple as long, each checked."""
    if not isinstance(new, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(new).__name__}'. A node's hook returns "
                        "one gradient (or None) per gradient it was given, in a tuple.")
    if len(new) != len(old):
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has returned an incorrect number of values "
            f"(got {len(new)}, but expected {len(old)}). A node's hook returns one gradient (or None) per "
            "gradient it was given."
        )
    return tuple(g if g is None else _replacement(hook, g, o) for g, o in zip(new, old))


def _accumulate(variable, grad, create_graph: bool) -> None:
    """``variable.grad += grad``, as torch does: in place, unless a graph of the gradient is wanted."""
    hooks = variable._hooks
    if hooks:
        for hook in list(hooks.values()):
            result = hook(grad)
            if result is not None:
                grad = _replacement(hook, result, grad)
    if grad._data.shape != variable._data.shape:
        grad = grad.sum_to_size(variable._data.shape)
    if variable._grad is None:
        variable._grad = grad if create_graph else _owned(grad, stealable=not hooks)
    elif create_graph:
        variable._grad = variable._grad + grad
    else:  # NumPy adds in place (inf on overflow, as in torch): nothing to record, no grad mode to switch
        quietly_in_place(np.add, variable._grad._data, grad._data)
        variable._grad._version_counter[0] += 1
    if variable._post_accumulate_hooks:
        for hook in list(variable._post_accumulate_hooks.values()):
            hook(variable)


def _accumulate_array(variable, grad: np.ndarray) -> None:
    """``variable.grad += grad`` for a leaf without hooks, the gradient still a bare array.

    The first gradient becomes ``.grad`` itself when only the backward pass holds it (no other
    gradient, no user tensor shares it), else a copy of it; later ones are added in place.
    """
    if grad.shape != variable._data.shape:
        grad = sum_to_shape(grad, variable._data.shape)
    if variable._grad is None:
        # run_backward's local, this argument and getrefcount's own: nobody else holds the array
        if type(grad) is not np.ndarray:
            grad = np.array(grad)  # a NumPy scalar (see run_backward)
        elif not (grad.base is None and grad.flags.writeable and sys.getrefcount(grad) == 3):
            grad = grad.copy()
        variable._grad = _Tensor._make(grad)
    else:
        data = variable._grad._data  # (a sum that overflows is inf, as in torch: no warning)
        if data.ndim:
            quietly_in_place(np.add, data, grad)
        else:  # 0-d: NumPy's arithmetic on scalars, a fifth of an in-place ufunc's cost on a 0-d array
            data[()] = silently(SCALAR_OPS[np.add], data[()], grad)
        variable._grad._version_counter[0] += 1


# References to a gradient that only the backward pass holds, when it reaches _owned from run_backward:
# run_backward's local, _accumulate's argument, _owned's argument and getrefcount's own argument.
_ENGINE_REFS = 4


def _owned(grad, stealable: bool):
    """A gradient tensor that ``.grad`` may keep and later add into in place.

    A gradient that only the backward pass can see (no user tensor, no other gradient shares the tensor
    or its array) is taken over; anything else is copied, so that accumulating into ``.grad`` can never
    change a tensor someone else holds. Taking over saves a copy of every weight's gradient per step.
    """
    data = grad._data
    if (stealable and data.base is None and data.flags.writeable
            and sys.getrefcount(data) == 3  # grad._data, this local, getrefcount's argument
            and sys.getrefcount(grad) == _ENGINE_REFS):
        return grad.detach()
    return grad.detach()._fresh_copy()


def _check_anomaly(node, grads) -> None:
    if not anomaly_mode._check_nan:
        return
    for i, g in enumerate(grads):
        if g is not None and np.isnan(g._data if isinstance(g, _Tensor) else g).any():
            stack = getattr(node, "_forward_stack", None)
            if stack:
                warnings.warn(
                    f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
                    + stack,
                    stacklevel=2,
                )
            raise RuntimeError(
                f"Function '{node.name()}' returned nan values in its {i}th output. The forward call "
                "that created it is printed in the warning above; look for log/sqrt/division of 0 or "
                "of a negative number there."
            )
