"""The Tensor: a NumPy array plus what autograd needs to know about it.

A tensor's place in the graph is three fields: ``requires_grad``, ``grad_fn`` (the node that made it,
None for leaves) and ``grad`` (filled on leaves by backward). Everything else here is torch's API
around them; the maths of each op lives in ``minigrad/ops``.
"""
from __future__ import annotations

import warnings
import weakref

import numpy as np

from . import _device, _dtype
from ._formatting import format_tensor
from .autograd import grad_mode
from .autograd.function import AccumulateGrad, RemovableHandle

_NONLEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
    "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
    "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor "
    "by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
    "for more information. Only leaves keep gradients: intermediate results pass theirs on and forget it."
)
_WHY_FLOAT = (
    " A derivative needs values that can change a little; make the tensor float, e.g. "
    "minigrad.tensor([1., 2.]) or x.float()."
)
_NON_LEAF_FLAG = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in "
    "a subgraph that doesn't require differentiation use var_no_grad = var.detach(). A computed tensor "
    "requires grad because its inputs do; that follows from the graph, it is not a setting."
)


class Size(tuple):
    """A tensor's shape: a tuple, printed like torch's ``Size``."""

    def __repr__(self) -> str:
        return f"minigrad.Size([{', '.join(map(str, self))}])"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


class Tensor:
    """An n-dimensional array that can record the operations applied to it."""

    # Every tensor sets these; what is rarely set stays at the class's default until it is, in the
    # instance's __dict__ (so that making a tensor, ~10 times per training step per layer, is cheap).
    __slots__ = ("_data", "_requires_grad", "_grad_fn", "_version_counter", "_base", "__dict__", "__weakref__")
    _grad = None  # filled by backward, on leaves
    _hooks = _post_accumulate_hooks = _accumulator_ref = None
    _inference = False  # made in inference_mode
    __array_ufunc__ = None  # ``np.float64(2) * t`` must call Tensor.__rmul__, not NumPy's loop

    def __new__(cls, *args, **kwargs):
        # torch's legacy constructor: Tensor(2, 3) is uninitialised of that shape, Tensor([1, 2]) is data.
        from ._creation import tensor

        if args and all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            array = np.empty(args, dtype=_dtype.get_default_dtype().np)
        elif len(args) == 1:
            array = tensor(args[0], dtype=_dtype.get_default_dtype())._data
        elif not args:
            array = np.empty((0,), dtype=_dtype.get_default_dtype().np)
        else:
            raise TypeError("Tensor() takes sizes as ints or one data argument; use minigrad.tensor(data).")
        return Tensor._make(array, False, None, None, cls)

    @staticmethod
    def _make(array: np.ndarray, requires_grad=False, grad_fn=None, version_counter=None, cls=None):
        """The one place tensors are built (no validation: callers pass a proper ndarray)."""
        t = object.__new__(cls or Tensor)
        t._data = array
        t._requires_grad = requires_grad
        t._grad_fn = grad_fn
        t._version_counter = [0] if version_counter is None else version_counter
        t._base = None
        if grad_mode._state["inference"]:
            t._inference = True
        return t

    @staticmethod
    def _make_subclass(cls, data: "Tensor", require_grad: bool = False):
        """Wrap ``data``'s storage in an instance of a Tensor subclass (how nn.Parameter is built)."""
        t = Tensor._make(data._data, False, None, data._version_counter, cls)
        if require_grad:
            t._require_grad_at_creation()
        return t

    # -- graph fields -----------------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self._grad_fn is None and self._data.dtype.kind not in "fc":
            # torch words this check differently for each way of asking
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients." + _WHY_FLOAT)
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if self._grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(_NON_LEAF_FLAG)
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients." + _WHY_FLOAT)
        self._requires_grad = bool(requires_grad)
        return self

    def _require_grad_at_creation(self) -> None:
        # torch words this check differently when the tensor is being created
        if self._data.dtype.kind not in "fc":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients." + _WHY_FLOAT
            )
        self._requires_grad = True

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad(self):
        if self._grad_fn is not None and self._grad is None and not self.retains_grad:
            warnings.warn(_NONLEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
            if value._data.dtype != self._data.dtype:
                # torch's first two sentences; the rest of its message is about grad_dtype, which
                # minigrad does not have
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_dtype.CPP_NAMES[value._data.dtype.name]}' "
                    f"to a tensor with grad_dtype '{_dtype.SCALAR_NAMES[self._data.dtype.name]}'. The gradient "
                    "must match the tensor's grad_dtype (defaults to the tensor's dtype). Convert it first, "
                    "e.g. x.grad = g.to(x.dtype): backward adds into .grad in the tensor's own dtype."
                )
            if value.shape != self.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of size "
                    f"'{list(self.shape)}'. Please ensure that the gradient and the tensor are the same size. "
                    "A gradient holds one number per element of its tensor."
                )
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        node = self._grad_fn
        return node is not None and node._retained is not None and node._retained() is self

    def retain_grad(self) -> None:
        """Keep this non-leaf's gradient in ``.grad`` after backward (leaves keep theirs anyway)."""
        if not self._requires_grad:
            raise RuntimeError(
                "can't retain_grad on Tensor that has requires_grad=False. Only tensors in the graph "
                "receive a gradient to keep."
            )
        if self._grad_fn is not None:
            self._grad_fn._retained = weakref.ref(self)

    def _accumulator(self) -> AccumulateGrad:
        """This leaf's AccumulateGrad node: one per tensor, so its hooks see the summed gradient."""
        node = self._accumulator_ref() if self._accumulator_ref is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._accumulator_ref = weakref.ref(node)
        return node

    def register_hook(self, hook) -> RemovableHandle:
        """``hook(grad)`` runs when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient. No gradient will "
                "ever reach it; set requires_grad=True on the leaf it comes from."
            )
        if self._grad_fn is not None:
            return self._grad_fn._register_tensor_prehook(hook)
        if self._hooks is None:
            self._hooks = {}
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = hook
        return handle

    def register_post_accumulate_grad_hook(self, hook) -> RemovableHandle:
        if self._grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors. Only leaves "
                "accumulate a gradient."
            )
        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = {}
        handle = RemovableHandle(self._post_accumulate_hooks)
        self._post_accumulate_hooks[handle.id] = hook
        return handle

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
        node = self._grad_fn
        if (node is not None and self._requires_grad and self._data.size == 1
                and gradient is None and inputs is None and not create_graph):
            # loss.backward(), the call of every training step: a computed one-element tensor, whose
            # gradient is 1, passes every check of autograd.backward, so go straight to the engine,
            # with that 1 as the engine carries it without a graph: a bare array (0-d: a NumPy scalar)
            data = self._data
            one = data.dtype.type(1) if data.ndim == 0 else np.ones(data.shape, data.dtype)
            _engine.run_backward([node], [one], retain_graph=retain_graph, create_graph=False)
            return
        _backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # -- data -------------------------------------------------------------------------------------
    @property
    def data(self) -> "Tensor":
        """The same storage, outside the graph, with its own version counter: changes go unnoticed."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value: "Tensor") -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    def detach(self) -> "Tensor":
        """The same storage, outside the graph; shares the version counter, so misuse is caught."""
        return Tensor._make(self._data, False, None, self._version_counter)

    def detach_(self) -> "Tensor":
        self._grad_fn = None
        self._requires_grad = False
        return self

    def _fresh_copy(self) -> "Tensor":
        return Tensor._make(self._data.copy())

    @property
    def _version(self) -> int:
        return self._version_counter[0]

    def is_inference(self) -> bool:
        return self._inference

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._data.shape)
        from .ops._common import wrap_dim

        return self._data.shape[wrap_dim(dim, self._data.ndim)]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype.from_numpy(self._data.dtype)

    @property
    def device(self) -> "_device.device":
        return _device.CPU

    def get_device(self) -> int:
        return -1  # torch's answer for a tensor on the CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar. item() "
                "reads one number; index the element you want first, or use tolist()."
            )
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The underlying array itself (shared, not a copy), as torch's numpy()."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead. "
                "NumPy cannot record operations, so leave the graph explicitly first."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def __repr__(self) -> str:
        return format_tensor(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return format(repr(self), spec)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> bool:
        if self._data.size == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous. An empty tensor is "
                               "neither true nor false: test .numel() instead.")
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous. Use .any() or .all(), "
                "or compare one element."
            )
        return bool(self._data.reshape(()))

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError(
                "only one element tensors can be converted to Python scalars. Pick one element first, "
                "e.g. float(t[0]), or use t.tolist()."
            )
        if self._requires_grad:
            warnings.warn(
                "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                "Consider using tensor.detach() first.",
                UserWarning, stacklevel=3,
            )
        return self._data.reshape(()).item()

    def __float__(self) -> float:
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    __hash__ = object.__hash__

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data, self._requires_grad))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol "
                "at the moment.  If you were attempting to deepcopy a module, this may be because of a "
                "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001 "
                "A computed tensor is tied to its graph; deepcopy x.detach() instead."
            )
        t = Tensor._make(self._data.copy(), self._requires_grad, cls=type(self))
        if self._grad is not None:
            t._grad = Tensor._make(self._grad._data.copy())
        memo[id(self)] = t
        return t


def _rebuild(array, requires_grad):
    return Tensor._make(np.array(array), requires_grad)


def _as_tensor_result(result, ctx=None) -> Tensor:
    """Wrap what a forward returned: an ndarray (builtins) or a Tensor (user Functions)."""
    if type(result) is np.ndarray:  # what builtin forwards return
        pass
    elif isinstance(result, Tensor):
        result = result._data
    elif isinstance(result, tuple):
        raise NotImplementedError(
            "minigrad Functions have a single output; return one tensor, or split the op in two."
        )
    elif type(result) is not np.ndarray:
        result = np.asarray(result)
    return Tensor._make(result, ctx is not None, ctx)


def _type_name(t: Tensor) -> str:
    """torch.typename of a tensor: 'minigrad.FloatTensor' for float32."""
    return f"minigrad.{_dtype.SCALAR_NAMES[t._data.dtype.name]}Tensor"


# Function.apply (autograd/function.py) builds tensors but is imported before Tensor exists.
from .autograd import (  # noqa: E402
    backward as _backward, engine as _engine, function as _function,
)

_function.Tensor, _function._as_tensor_result, _function._make = Tensor, _as_tensor_result, Tensor._make
_engine._Tensor, _engine._type_name = Tensor, _type_name
