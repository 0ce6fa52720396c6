"""Function and its graph nodes: how one operation records itself for the backward pass.

Every op is a ``Function`` subclass with a static ``forward(ctx, *inputs)`` and ``backward(ctx, grad)``,
exactly the shape of ``torch.autograd.Function``. ``Function.apply`` runs ``forward`` and, when grad mode
is on and an input requires grad, creates the op's ``grad_fn`` node. That node *is* the ``ctx``: it keeps
what ``forward`` saved and the edges (``next_functions``) to the nodes of the inputs.

Builtin ops compute on NumPy arrays (``a.data`` is not used; ``a._data`` is) and may return an array;
their ``backward`` is written with Tensor ops, so that with ``create_graph=True`` the backward pass is
itself recorded and can be differentiated again.
"""
from __future__ import annotations

import itertools
import operator
import re

import numpy as np

from . import anomaly_mode, grad_mode

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph "
    "a second time or if you need to access saved tensors after calling backward. backward() frees "
    "the values it saved (not the tensors you hold) to save memory as soon as it is done with them."
)


class RemovableHandle:
    """What ``register_hook`` returns: ``handle.remove()`` unregisters the hook."""

    _ids = itertools.count()

    def __init__(self, hooks: dict):
        self._hooks = hooks
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        self._hooks.pop(self.id, None)


class Node:
    """A vertex of the backward graph (torch's ``grad_fn``). Subclasses: one per op, and AccumulateGrad."""

    __slots__ = ("_input_shapes", "_input_dtypes", "__dict__", "__weakref__")
    # Hooks and retain_grad are rare: a node gets them in its __dict__ when they are set.
    _pre_hooks = _post_hooks = _retained = None

    @property
    def next_functions(self) -> tuple:
        """One ``(node, 0)`` per input torch lists, ``(None, 0)`` for one that needs no gradient.

        Internally ``_edges`` lines up with the arguments of forward (numbers, dims and flags
        included), as what backward returns does, but may stop early: the edges it leaves out are
        None. ``_input_shapes`` has one entry per argument (None: not a tensor). Torch lists the
        tensor arguments, unless the op's ``_listed_args`` names others.
        """
        edges = self._edges
        return tuple((edges[i] if i < len(edges) else None, 0) for i in self._listed_positions())

    def _listed_positions(self) -> list:
        """The arguments of forward that torch lists as this node's inputs (next_functions, a post-hook's
        grad_inputs): the op's ``_listed_args``, or else its tensor arguments."""
        listed = getattr(self, "_forward_cls", Function)._listed_args
        if listed is None:
            listed = [i for i, shape in enumerate(self._input_shapes) if shape is not None]
        return listed

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"

    def register_hook(self, fn) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` runs after this node computed the gradients of its inputs,
        and may return replacements for grad_inputs (a tuple, None for a gradient to drop)."""
        if self._post_hooks is None:
            self._post_hooks = {}
        handle = RemovableHandle(self._post_hooks)
        self._post_hooks[handle.id] = fn
        return handle

    def register_prehook(self, fn) -> RemovableHandle:
        """``fn(grad_outputs)`` runs before this node, and may return replacement gradients (a tuple)."""
        return self._register_tensor_prehook(NodePreHook(fn))

    def _register_tensor_prehook(self, fn) -> RemovableHandle:
        """``fn(grad)``, a hook of this node's output tensor (its ``register_hook``). The node's own
        pre-hooks are kept in the same dict, wrapped: the engine runs a node's hooks in torch's order."""
        handle = RemovableHandle(self._pre_hooks_dict())
        self._pre_hooks[handle.id] = fn
        return handle

    def _pre_hooks_dict(self) -> dict:
        if self._pre_hooks is None:
            self._pre_hooks = {}
        return self._pre_hooks


class NodePreHook:
    """A hook given to ``grad_fn.register_prehook``: it sees, and returns, a tuple of gradients."""

    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn


class AccumulateGrad(Node):
    """The node of a leaf that requires grad: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)

    _edges = ()  # a leaf: its gradient goes nowhere further

    def __init__(self, variable):
        self.variable = variable
        self._input_shapes, self._input_dtypes = (), ""

    @property
    def metadata(self) -> dict:
        return {}


class BackwardNode(Node):
    """The ``ctx`` of one call of a Function, and the ``grad_fn`` of its output."""

    # The edges: for each argument of forward, the node its gradient goes to (None: it needs none).
    # A node of one or two arguments (nearly every node: x * 2, x @ w, x + b) keeps them in two slots
    # of its own, which ``_edges`` reads as a pair in C (a one-argument node's second is None; numbers
    # and flags after the second argument need no edge). A tuple of nodes would be one more object
    # per node for Python's garbage collector to watch while the graph lives; each such object counts
    # towards the next full collection, which walks every object of the process (~170k more once
    # torch is loaded, as in the lessons).
    # needs_input_grad: which arguments of forward need a gradient, worked out once, when the node is
    # recorded (a plain slot: vjps and forwards read it on every call)
    __slots__ = ("_edge0", "_edge1", "_saved", "_saved_versions", "_saved_output", "needs_input_grad")
    _edges = property(operator.attrgetter("_edge0", "_edge1"))
    _forward_cls: type  # set for each Function subclass, with _vjp, its vjp or None
    _wide: type  # this node's class when a tensor after the second argument needs a gradient

    def __init__(self, args):
        """The node of one call of forward(ctx, *args): an edge per argument, to the node its gradient goes to.

        What backward fits each input's gradient to is kept as plain values: ``_input_shapes`` has
        each argument's shape (None for an argument that is not a tensor, _CONSTANT for a tensor that
        needs no gradient), in a tuple shared by the nodes of the same shapes (see _ONE_TENSOR);
        ``_input_dtypes`` the dtypes' one-letter codes in one string ("f", "fd"; " " for a tensor that
        needs no gradient), as far as the last argument that needs one. Python's garbage collector
        stops watching a tuple of tuples of numbers within its first two looks; a tuple nested deeper
        would stay in its sight long enough to count towards full collections, and one holding a
        dtype object forever.
        """
        n = len(args)
        a = args[0]
        b = args[1] if n > 1 else None
        if n > 2 or isinstance(b, Tensor):
            if n <= 3 and isinstance(a, Tensor) and isinstance(b, Tensor) and (n == 2 or not isinstance(args[2], Tensor)):
                self._record_two(a, b, n)
                return
            for other in args[1:]:
                if isinstance(other, Tensor):
                    self._record_any(args)
                    return
            while n > len(_NONE):  # a function of many arguments: longer tuples, made once
                _NONE.append((None,) * len(_NONE))
                _FIRST.append((True,) + (False,) * len(_FIRST))
                _ONE_TENSOR.append({})
        self._record_one(a, n)

    def _record_one(self, a, n: int) -> None:
        """__init__ for one tensor, first, then maybe numbers, dims and flags (x.exp(), x * 2,
        x.sum(dim, keepdim)), n arguments in all: apply saw the tensor require grad."""
        self._saved = self._saved_output = None
        self._edge0, self._edge1 = a._grad_fn or a._accumulator(), None
        shape, table = a._data.shape, _ONE_TENSOR[n - 1]
        self._input_shapes = table.get(shape) or _interned(table, shape, (shape,) + _NONE[n - 1])
        self._input_dtypes, self.needs_input_grad = a._data.dtype.char, _FIRST[n - 1]

    def _record_two(self, a, b, n: int) -> None:
        """__init__ for two tensors, maybe and a number or flag (x @ w, x + b, x - y, add(x, y, alpha)),
        n arguments in all: _record_any, written out."""
        self._saved = self._saved_output = None  # _saved becomes _RELEASED once backward freed it
        wants_a, wants_b = a._requires_grad, b._requires_grad
        self._edge0 = a._grad_fn or a._accumulator() if wants_a else None
        self._edge1 = b._grad_fn or b._accumulator() if wants_b else None
        shapes = (a._data.shape if wants_a else _CONSTANT, b._data.shape if wants_b else _CONSTANT)
        table = _TWO_TENSORS_SHAPES[n]
        self._input_shapes = table.get(shapes) or _interned(table, shapes, shapes + _NONE[n - 2])
        self._input_dtypes = (a._data.dtype.char if wants_a else " ") + (b._data.dtype.char if wants_b else "")
        self.needs_input_grad = _TWO_TENSORS[wants_a, wants_b, n]

    def _record_any(self, args) -> None:
        """__init__ for any mix of arguments (where(c, x, y), a user Function of three tensors)."""
        self._saved = self._saved_output = None
        edges, shapes, dtypes, needs = [], [], [], []
        for a in args:
            if isinstance(a, Tensor) and a._requires_grad:
                edges.append(a._grad_fn or a._accumulator())
                shapes.append(a._data.shape)
                dtypes.append(a._data.dtype.char)
                needs.append(True)
            else:
                edges.append(None)
                shapes.append(_CONSTANT if isinstance(a, Tensor) else None)
                dtypes.append(" ")
                needs.append(False)
        self._edge0, self._edge1 = edges[0], edges[1] if len(args) > 1 else None
        if any(edges[2:]):
            # a tensor after the second argument needs a gradient (where(c, x, y)): the node becomes
            # a _wide one, which keeps its edges in a tuple
            self.__class__ = self._wide
            self._edges = tuple(edges)
        self._input_shapes, self._input_dtypes = tuple(shapes), "".join(dtypes)
        needs = tuple(needs)
        self.needs_input_grad = _NEEDS.setdefault(needs, needs)  # one shared tuple per pattern: a node is kept small

    @classmethod
    def _unrecorded(cls, args):
        """The ctx of a user Function's forward when nothing is recorded (no edges). As in torch,
        needs_input_grad still tells which inputs require grad, even under no_grad."""
        node = cls.__new__(cls)
        node._saved = node._saved_output = node._edge0 = node._edge1 = None
        node._input_shapes, node._input_dtypes = (None,) * len(args), ""
        node.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        return node

    # -- what forward keeps for backward --------------------------------------------------------
    def save_for_backward(self, *tensors) -> None:
        """Keep tensors for backward; their version is noted, so an in-place change is caught later.

        Called with none, by an op that keeps on ctx what torch saves as tensors (index tensors, a
        number torch wraps in a tensor): backward frees those as it frees saved tensors, so that a
        second backward without retain_graph is torch's error (the op's backward calls
        ``check_not_freed``)."""
        if not tensors:  # (x * 2 in a loop: the mark alone, quickly)
            self._saved = self._saved_versions = ()
            return
        versions = []
        for t in tensors:
            if t is None:
                versions.append(None)
                continue
            versions.append(t._version_counter[0])
            if t._inference:
                raise RuntimeError(
                    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
                    "inference mode in computation tracked by autograd. To work around this, you can make a "
                    "clone to get a normal tensor and use it in autograd, or use `minigrad.no_grad()` instead "
                    "of `minigrad.inference_mode()`. inference_mode promises that nothing made inside it will "
                    "ever need a gradient."
                )
        self._saved = tensors
        self._saved_versions = tuple(versions)  # a tuple of numbers: out of the garbage collector's sight

    def check_not_freed(self) -> None:
        """torch's error if a backward without retain_graph already freed what forward saved."""
        if self._saved is _RELEASED:
            raise RuntimeError(_FREED)

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved is None:
            return ()
        if saved is _RELEASED:
            raise RuntimeError(_FREED)
        for t, version in zip(saved, self._saved_versions):
            if t is not None and t._version_counter[0] != version:
                raise RuntimeError(_modified_message(t, version))
        return saved

    @property
    def saved_arrays(self) -> tuple:
        """The arrays of ``saved_tensors`` (checked the same way; a 0-d one as a NumPy scalar), for ``vjp``."""
        saved = self._saved
        if saved is None:
            return ()
        if saved is _RELEASED:
            raise RuntimeError(_FREED)
        # saved_tensors' check and the arrays in one pass: every vjp that saved something reads this
        arrays = []
        for t, version in zip(saved, self._saved_versions):
            if t is None:
                arrays.append(None)
            elif t._version_counter[0] != version:
                raise RuntimeError(_modified_message(t, version))
            else:
                data = t._data
                arrays.append(data if data.ndim else data[()])  # 0-d: a NumPy scalar, as the engine's gradients
        return tuple(arrays)

    @property
    def result_array(self):
        """The array of ``result`` (checked the same way), for ``vjp``."""
        array = self._saved_output
        if array is None or self._output_counter[0] != self._output_version:
            return self.result  # raises the error
        return array if array.ndim else array[()]  # 0-d: a NumPy scalar, as in saved_arrays

    @property
    def result(self):
        """The op's own output (exp, tanh, sigmoid need it), rebuilt with this node as its grad_fn.

        Only the array is kept, not the output tensor, so the graph holds no reference cycle; with it,
        the output's version counter and its version then (in slots, as the edges, see above).
        """
        array = self._saved_output
        if array is None:
            raise RuntimeError(_FREED)
        counter, version = self._output_counter, self._output_version
        out = _make(array, True, self, counter)
        if counter[0] != version:
            raise RuntimeError(_modified_message(out, version))
        return out

    def _release(self) -> None:
        """Free what forward saved; the graph's structure stays, so the error above can be raised.

        The engine calls it only for a node that saved something."""
        self._saved = _RELEASED
        self._saved_output = None

    def mark_non_differentiable(self, *tensors) -> None:  # accepted for torch compatibility
        pass

    def set_materialize_grads(self, value: bool) -> None:
        pass

    def name(self) -> str:
        return type(self).__name__

    # -- the vector-Jacobian product --------------------------------------------------------------
    def apply(self, grad):
        """Gradients for every input of forward (None where an input needs none)."""
        grads = self._forward_cls.backward(self, grad)
        if not isinstance(grads, tuple):
            grads = (grads,)
        return grads


def _modified_message(t, version) -> str:
    from .._tensor import _type_name

    # torch names the node here without "Backward" and a last 0 (ExpBackward0: "Exp", MaxBackward1:
    # "Max1"); a leaf is nobody's output
    producer = ""
    if t.grad_fn is not None:
        producer = f", which is output 0 of {re.sub(r'Backward(0$)?', '', t.grad_fn.name(), count=1)},"
    return (
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"[{_type_name(t)} [{', '.join(map(str, t.shape))}]]{producer} is at version "
        f"{t._version_counter[0]}; expected version {version} instead. Hint: enable anomaly detection to "
        "find the operation that failed to compute its gradient, with "
        "minigrad.autograd.set_detect_anomaly(True, check_nan=False). "
        "A tensor that backward needs was changed in place after it was used: clone() it before changing "
        "it, or change a copy."
    )


_RELEASED = object()  # what _saved holds once backward freed the saved tensors


class Function:
    """Base class of all operations, builtin or user-defined (``torch.autograd.Function``'s API).

    Subclass it with ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)``, then call ``apply``.
    """

    _grad_fn_name: str | None = None  # builtin ops use torch's names, e.g. "MulBackward0"
    saves_result = False  # True: backward reads ``ctx.result``, the op's output
    _builtin = False  # builtin forwards never read ctx when no graph is recorded
    # The arguments of forward that next_functions lists, by position, in torch's order; None: the
    # tensor arguments. Where torch's signature of the op differs from forward's: a number torch takes
    # as a tensor is listed (its edge is None), a bool condition or a number it keeps a number is not.
    _listed_args: tuple | None = None
    _ctx_slots: tuple = ()  # attributes forward sets on ctx, kept in slots: a node then needs no __dict__
    _backward_cls: type

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("_grad_fn_name") or cls.__name__ + "Backward"
        vjp = None if cls.vjp is None else staticmethod(cls.vjp)
        # the slots forward fills, and those that keep the output's version (only for ops that keep it:
        # every slot makes every node of the class bigger)
        slots = cls._ctx_slots + (("_output_counter", "_output_version") if cls.saves_result else ())
        cls._backward_cls = node = type(name, (BackwardNode,), {"_forward_cls": cls, "_vjp": vjp, "__slots__": slots})
        # _edges as a plain class attribute hides the pair getter: a node's own _edges (in its __dict__) is read
        node._wide = type(name, (node,), {"__slots__": (), "_edges": ()})

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement the backward function for custom autograd.Function.")

    # Optional, builtin ops only: ``vjp(ctx, grad)``, backward's formula on NumPy arrays (grad and the
    # results are arrays, 0-d ones NumPy scalars; ``ctx.saved_arrays`` and ``ctx.result_array`` give
    # what forward kept). The engine calls it when no graph of the backward pass is wanted, skipping
    # a tensor op per term, with NumPy's warnings already off. It may return None when its formula
    # does not fit the inputs: backward then runs instead.
    vjp = None

    @classmethod
    def apply(cls, *args):
        if grad_mode._state["grad"]:
            for a in args:
                if isinstance(a, Tensor) and a._requires_grad:
                    break
            else:
                a = None
            if a is not None:  # record: forward runs with the graph node as ctx, its edges already set
                ctx = cls._backward_cls(args)  # (so forward may read needs_input_grad)
                if anomaly_mode._enabled:
                    ctx._forward_stack = anomaly_mode.forward_stack()
                if cls._builtin:
                    result = cls.forward(ctx, *args)
                else:
                    with grad_mode.no_grad():
                        result = cls.forward(ctx, *args)
                out = (_make(result, True, ctx) if type(result) is np.ndarray
                       else _as_tensor_result(result, ctx))
                if cls.saves_result:
                    counter = out._version_counter
                    ctx._saved_output, ctx._output_counter, ctx._output_version = out._data, counter, counter[0]
                return out
        if cls._builtin:  # builtin forwards only compute on arrays: no ctx, no grad-mode switch
            result = cls.forward(_NO_CTX, *args)
            return _make(result) if type(result) is np.ndarray else _as_tensor_result(result)
        with grad_mode.no_grad():
            return _as_tensor_result(cls.forward(cls._backward_cls._unrecorded(args), *args))


def operator_apply(cls, n: int, tensors: int):
    """``cls.apply(a, b)`` for the two cases Tensor's operators meet most, written for their two
    arguments: a float tensor and a Python number (``tensors=1``: ``x * 2``, ``x + 1``, ``0.1 * x.grad``,
    the tutorials' loops), or two float tensors of the same dtype (``tensors=2``: ``x + y``, ``x @ w``).
    Forward's other arguments, n in all, keep their defaults.

    The same steps as ``Function.apply``, without those it needs for arguments of any kind: the bound
    classmethod taking ``*args``, the search of them for a tensor that requires grad, the type call into
    ``BackwardNode.__init__`` and the call of forward with ``*args`` (in Python 3.11 such calls pass
    through C, dearer than a call from Python to Python). On a small tensor these cost a fifth to a
    quarter of the op. ``cls`` is a builtin op whose forward returns an array and keeps nothing of
    its output."""
    assert cls._builtin and not cls.saves_result
    node_class, forward, two = cls._backward_cls, cls.forward, tensors == 2

    def apply(a, b):
        if (a._requires_grad or two and b._requires_grad) and grad_mode._state["grad"]:
            ctx = _new(node_class)
            if two:
                ctx._record_two(a, b, n)
            else:
                ctx._record_one(a, n)
            if anomaly_mode._enabled:
                ctx._forward_stack = anomaly_mode.forward_stack()
            return _make(forward(ctx, a, b), True, ctx)
        return _make(forward(_NO_CTX, a, b))

    return apply


_new = object.__new__


# Nodes of the same shapes share one _input_shapes tuple, made once. A tuple made for each node (and
# NumPy makes a new one at each .shape) is an allocation the garbage collector counts: two or three
# per node set off a young collection every ~250 nodes of a chain, instead of every ~700.
# _ONE_TENSOR[n - 1]: nodes of n arguments, one tensor first, by its shape; _TWO_TENSORS_SHAPES[n]: two
# tensors and n - 2 numbers or flags, by the pair of shapes.
_ONE_TENSOR: list = [{} for n in range(8)]
_TWO_TENSORS_SHAPES = {2: {}, 3: {}}
_MAX_INTERNED = 4096  # per table; a program of ever new shapes then gets fresh tuples, as before


def _interned(table: dict, key, shapes: tuple) -> tuple:
    if len(table) < _MAX_INTERNED:
        table[key] = shapes
    return shapes


_CONSTANT = ()  # the "shape" of a tensor input that needs no gradient (None: not a tensor at all)
_NEEDS: dict = {}
_NONE = [(None,) * n for n in range(8)]  # grown when a function takes more arguments
_FIRST = [(True,) + (False,) * n for n in range(8)]
_TWO_TENSORS = {(wants_a, wants_b, n): (wants_a, wants_b) + (False,) * (n - 2)
                for wants_a in (False, True) for wants_b in (False, True) for n in (2, 3)}

# Function.apply wraps results in tensors; this module is imported before the Tensor class exists,
# so _tensor.py hands these over when it is defined.
Tensor = None
_as_tensor_result = None
_make = None  # Tensor._make


class _NoContext:
    """The ctx forward gets when no graph is recorded: saving is a no-op."""

    needs_input_grad = (False,) * 8  # no graph: no input needs a gradient

    def save_for_backward(self, *tensors) -> None:
        pass

    def mark_non_differentiable(self, *tensors) -> None:
        pass

    def set_materialize_grads(self, value) -> None:
        pass

    def __setattr__(self, name, value) -> None:
        pass  # forward may stash constants on ctx; nobody will read them without a graph


_NO_CTX = _NoContext()
