"""Tensor's operators and methods: each one forwards to the op in ``minigrad/ops``.

In-place methods follow torch's rules: an in-place change of a leaf that requires grad is refused while
grad mode is on, and every in-place change bumps the tensor's version, so that backward can tell when
a value it saved has changed since.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from . import _device, _dtype, _random, ops
from .ops import overwrite
from ._quietly import SCALAR_OPS, quietly_in_place, silently
from ._tensor import Tensor
from .autograd import grad_mode
from .autograd.function import operator_apply
from .ops._common import _PLAIN_NUMBERS

_LEAF_INPLACE = (
    "a leaf Variable that requires grad is being used in an in-place operation. Changing it in place "
    "would lose the value the gradient is about; update parameters inside `with minigrad.no_grad():`."
)
_VIEW_OF_LEAF_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation. The view shares "
    "the leaf's memory; update it inside `with minigrad.no_grad():` or work on a clone()."
)


def _operator(op, number_op=None, tensor_op=None):
    """Operators combine tensors with tensors, numbers and arrays; for anything else (lists, strings,
    None) they return NotImplemented, so Python tries the other side or raises its TypeError, and
    ``x == None`` is simply False, as in torch.

    ``number_op``: the Function ``op`` itself picks for a float tensor and a Python number (x * 2.5,
    x + 1, the tutorials' loops); ``tensor_op``: the Function and its number of arguments for two float
    tensors of the same dtype (x + y, h - target). Both are applied here directly, by an apply written
    for their two arguments (see function.operator_apply), saving a quarter of a small op's cost."""

    if number_op is None and tensor_op is None:
        def checked(self, other):
            if not isinstance(other, _OPERANDS):
                return NotImplemented
            return op(self, other)

        return checked

    apply_number_op = operator_apply(number_op, 2, tensors=1) if number_op else op
    apply_tensor_op = operator_apply(*tensor_op, tensors=2) if tensor_op else op

    def checked(self, other):
        if self._data.dtype.kind == "f":
            if type(other) in _PLAIN_NUMBERS:
                return apply_number_op(self, other)
            if isinstance(other, Tensor) and other._data.dtype is self._data.dtype:
                return apply_tensor_op(self, other)
        if not isinstance(other, _OPERANDS):
            return NotImplemented
        return op(self, other)

    return checked


class TensorOps:
    __slots__ = ()

    # -- arithmetic operators: each is its op, behind the check of the other operand -------------
    __add__ = __radd__ = _operator(ops.add, ops.arithmetic.AddNumber, (ops.arithmetic.Add, 3))
    __sub__, __rsub__ = _operator(ops.sub, tensor_op=(ops.arithmetic.Sub, 3)), _operator(ops.rsub)
    __mul__ = __rmul__ = _operator(ops.mul, ops.arithmetic.MulNumber, (ops.arithmetic.Mul, 2))
    __truediv__ = _operator(ops.div, tensor_op=(ops.arithmetic.Div, 2))
    __floordiv__ = _operator(ops.floor_divide)
    __pow__ = _operator(ops.pow, ops.arithmetic.Pow)
    __matmul__ = _operator(ops.matmul)

    @_operator
    def __rtruediv__(self, other):
        return ops.reciprocal(self) * other

    def __rpow__(self, base):
        from .ops._common import as_tensor_like

        return ops.pow(base, self) if isinstance(base, type(self)) else ops.arithmetic.Rpow.apply(
            as_tensor_like(base, self), self)

    @_operator
    def __rmatmul__(self, other):
        return ops.matmul(other, self)

    @_operator
    def __rfloordiv__(self, other):
        return ops.floor_divide(other, self)

    def __neg__(self):
        return ops.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.abs(self)

    def __invert__(self):
        return ops.logical_not(self) if self._data.dtype == np.bool_ else type(self)._make(~self._data)

    __and__, __or__, __xor__ = _operator(ops.bitwise_and), _operator(ops.bitwise_or), _operator(ops.bitwise_xor)
    __eq__, __ne__ = _operator(ops.eq), _operator(ops.ne)
    __lt__, __le__, __gt__, __ge__ = _operator(ops.lt), _operator(ops.le), _operator(ops.gt), _operator(ops.ge)

    def __getitem__(self, key):
        return ops.getitem(self, key)

    # -- named methods ----------------------------------------------------------------------------
    add, sub, mul, div, pow, matmul = ops.add, ops.sub, ops.mul, ops.div, ops.pow, ops.matmul
    multiply, subtract, divide, true_divide, mm = ops.mul, ops.sub, ops.div, ops.div, ops.matmul
    neg, negative, reciprocal = ops.neg, ops.neg, ops.reciprocal
    exp, log, sqrt, sin, cos, tanh = ops.exp, ops.log, ops.sqrt, ops.sin, ops.cos, ops.tanh
    sigmoid, relu, abs, sign = ops.sigmoid, ops.relu, ops.abs, ops.sign
    clamp, clip, maximum, minimum = ops.clamp, ops.clip, ops.maximum, ops.minimum
    sum, mean, max, min, amax, var, std = ops.sum, ops.mean, ops.max, ops.min, ops.amax, ops.var, ops.std
    argmax, argmin, logsumexp, all, any = ops.argmax, ops.argmin, ops.logsumexp, ops.all, ops.any
    softmax, log_softmax, norm = ops.softmax, ops.log_softmax, ops.norm
    eq, ne, lt, le, gt, ge = ops.eq, ops.ne, ops.lt, ops.le, ops.gt, ops.ge
    isclose, allclose, equal = ops.isclose, ops.allclose, ops.equal
    reshape, view, flatten, transpose, permute = ops.reshape, ops.view, ops.flatten, ops.transpose, ops.permute
    squeeze, unsqueeze, expand, sum_to_size, select = ops.squeeze, ops.unsqueeze, ops.expand, ops.sum_to_size, ops.select
    t, clone = ops.t, ops.clone

    def new_tensor(self, data, dtype=None, requires_grad=False):
        from ._creation import tensor

        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, requires_grad=False):
        from ._factories import zeros

        return zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad=False):
        from ._factories import ones

        return ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, requires_grad=False):
        from ._factories import full

        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, requires_grad=False):
        from ._factories import empty

        return empty(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def where(self, condition, other):
        return ops.where(condition, self, other)

    def view_as(self, other):
        return ops.view(self, other.shape)

    def reshape_as(self, other):
        return ops.reshape(self, other.shape)

    def expand_as(self, other):
        return ops.expand(self, other.shape)

    def type_as(self, other):
        return self.to(other.dtype)

    @property
    def T(self):
        ndim = self._data.ndim
        if ndim == 0:
            warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
                          UserWarning, stacklevel=2)
        elif ndim != 2:
            warnings.warn(
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and "
                "it will throw an error in a future release. Consider `x.mT` to transpose batches of matrices "
                "or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.",
                UserWarning, stacklevel=2,
            )
        return ops.permute(self, tuple(reversed(range(ndim))))

    @property
    def mT(self):
        if self._data.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {self._data.ndim}-D tensor.")
        return ops.transpose(self, -2, -1)

    # -- dtype conversion -------------------------------------------------------------------------
    def to(self, *args, **kwargs):
        """``to(dtype)``; devices other than the CPU do not exist in minigrad and are refused."""
        target = kwargs.get("dtype")
        for a in args + (kwargs.get("device"),):
            if a is None or isinstance(a, (str, _device.device)):
                if not _device.is_cpu(a):
                    raise RuntimeError(f"minigrad runs on the CPU only; cannot move a tensor to {a!r}.")
            elif isinstance(a, type(self)):
                target = a.dtype
            else:
                target = a
        return self if target is None else ops.to_dtype(self, target)

    def float(self):
        return ops.to_dtype(self, _dtype.float32)

    def double(self):
        return ops.to_dtype(self, _dtype.float64)

    def long(self):
        return ops.to_dtype(self, _dtype.int64)

    def int(self):
        return ops.to_dtype(self, _dtype.int32)

    def bool(self):
        return ops.to_dtype(self, _dtype.bool_)

    def half(self):
        return ops.to_dtype(self, _dtype.float16)

    def cpu(self):
        return self

    def contiguous(self):
        return self if self._data.flags.c_contiguous else ops.clone(self)

    # -- in place -----------------------------------------------------------------------------------
    def _check_inplace(self, recording: bool) -> None:
        if recording and self._requires_grad:
            if self._grad_fn is None:
                raise RuntimeError(_LEAF_INPLACE)
        base = self._base
        if recording and base is not None and base._requires_grad:
            if base._grad_fn is None:
                raise RuntimeError(_VIEW_OF_LEAF_INPLACE)
            raise RuntimeError(
                "minigrad does not support in-place changes of a view of a tensor that requires grad "
                "(torch rewrites the base tensor's history here). Change the base tensor itself, e.g. "
                "base[index] = value, or use an out-of-place op."
            )
        if self._inference and not grad_mode._state["inference"]:
            raise RuntimeError(
                "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
                "clone to get a normal tensor before doing inplace update.See "
                "https://github.com/pytorch/rfcs/pull/17 for more details."
            )

    def _inplace(self, op, *args):
        """``self = op(self, *args)`` in the same storage, as torch's in-place ops do.

        When autograd is recording, the op is applied to a snapshot of the old value (which keeps the
        old grad_fn), and ``self`` takes over the result's grad_fn: the graph sees a new node.
        """
        recording = grad_mode._state["grad"] and (
            self._requires_grad or builtin_any(getattr(a, "_requires_grad", False) for a in args)
        )
        self._check_inplace(recording)
        if recording:
            old = type(self)._make(self._data.copy(), self._requires_grad, self._grad_fn)
            result = op(old, *args)
        else:
            with grad_mode.no_grad():
                result = op(self, *args)
        new = result._data
        if new.shape != self._data.shape:
            raise RuntimeError(
                f"output with shape [{', '.join(map(str, self._data.shape))}] doesn't match the broadcast "
                f"shape [{', '.join(map(str, new.shape))}]. An in-place op cannot change its tensor's shape."
            )
        if new.dtype != self._data.dtype and not np.can_cast(new.dtype, self._data.dtype, "same_kind"):
            raise RuntimeError(
                f"result type {_dtype.SCALAR_NAMES[new.dtype.name]} can't be cast to the desired "
                f"output type {_dtype.SCALAR_NAMES[self._data.dtype.name]}. Convert the tensor "
                "first (e.g. x = x.float()), or use an out-of-place op."
            )
        try:
            np.copyto(self._data, new, casting="unsafe")
        except ValueError:
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers to a single "
                "memory location. Please clone() the tensor before performing the operation."
            ) from None
        self._version_counter[0] += 1
        if recording:
            node = self._grad_fn = result._grad_fn
            self._requires_grad = True
            if node._saved_output is not None:
                # the op keeps its output (relu_, pow_): that is self now, so changing self again
                # before backward is torch's error, as with the output of relu
                node._saved_output, node._output_counter = self._data, self._version_counter
                node._output_version = self._version_counter[0]
        return self

    def _update(self, ufunc, other, alpha=1):
        """The common case of an in-place op, nothing recorded: NumPy writes straight into the storage.

        Optimizers call this for every parameter at every step, so it skips building a result tensor.
        Returns None when the fast path does not apply and the general one must run.
        """
        if grad_mode._state["grad"] and (self._requires_grad or getattr(other, "_requires_grad", False)):
            return None
        if self._base is not None or self._inference or self._data.dtype.kind != "f":
            return None  # views, inference tensors and integer targets take the checked path
        value = other._data if isinstance(other, Tensor) else other  # (a Parameter's grad is a plain Tensor)
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in "fiub":
                return None
        elif not isinstance(value, (float, int)):
            return None
        if alpha != 1:
            value = value * alpha
        data = self._data
        if data.ndim or isinstance(value, np.ndarray) and value.ndim:
            try:
                quietly_in_place(ufunc, data, value)  # an update that overflows gives inf, as in torch
            except ValueError:
                return None  # a shape that does not fit: let the general path raise torch's error
        else:  # 0-d (the tutorials' loops): NumPy's arithmetic on scalars, a fifth of an in-place ufunc's cost
            data[()] = silently(SCALAR_OPS[ufunc], data[()], value[()] if isinstance(value, np.ndarray) else value)
        self._version_counter[0] += 1
        return self

    def add_(self, other, *, alpha=1):
        if self._update(np.add, other, alpha) is None:
            self._inplace(lambda s, o: ops.add(s, o, alpha=alpha), other)
        return self

    def sub_(self, other, *, alpha=1):
        if self._update(np.subtract, other, alpha) is None:
            self._inplace(lambda s, o: ops.sub(s, o, alpha=alpha), other)
        return self

    def mul_(self, other):
        if self._update(np.multiply, other) is None:
            self._inplace(ops.mul, other)
        return self

    def div_(self, other):
        if self._update(np.true_divide, other) is None:
            self._inplace(ops.div, other)
        return self

    def pow_(self, exponent):
        return self._inplace(ops.pow, exponent)

    def relu_(self):
        return self._inplace(ops.relu)  # the graph's node is ReluBackward0, as torch's

    def clamp_(self, min=None, max=None):
        return self._inplace(lambda s: ops.clamp(s, min, max))

    clip_ = clamp_

    def copy_(self, src):
        from .ops._common import as_tensor_like

        return self._inplace(overwrite.Copy.apply, as_tensor_like(src, self))

    def fill_(self, value):
        if isinstance(value, Tensor):
            return self._inplace(overwrite.FillTensor.apply, value)
        return self._overwrite(overwrite.Fill, overwrite.fill_value(value, self))

    def zero_(self):
        return self._overwrite(overwrite.Zero, 0)

    def uniform_(self, a=0.0, b=1.0):
        return self._overwrite(overwrite.Uniform, _random.generator().uniform(a, b, self._data.shape))

    def normal_(self, mean=0.0, std=1.0):
        return self._overwrite(overwrite.Normal, _random.generator().normal(mean, std, self._data.shape))

    def _overwrite(self, op, values):
        """New values that do not depend on the old ones (fill_, zero_, uniform_, normal_)."""
        if grad_mode._state["grad"] and self._requires_grad and self._grad_fn is not None:
            # inside a graph: op's node, whose gradient for the old value is zero
            return self._inplace(op.apply, np.asarray(values, dtype=self._data.dtype))
        self._check_inplace(grad_mode._state["grad"] and self._requires_grad)
        self._data[...] = values
        self._version_counter[0] += 1
        return self

    def __setitem__(self, key, value):
        from .ops.indexing import IndexPut, _numpy_key

        key = _numpy_key(key)
        if grad_mode._state["grad"] and self._requires_grad and self._grad_fn is None:
            raise RuntimeError(_VIEW_OF_LEAF_INPLACE)  # torch writes through the view self[key]
        self._inplace(lambda s, v: IndexPut.apply(s, key, ops.to_dtype(as_value(v, s), s.dtype)), value)

    # x -= y is x.sub_(y): the same functions, one call less per parameter update
    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_


# Tensors, numbers and arrays combine with tensors; lists, strings and None do not (as in torch).
# float and int first: numbers.Number is an abstract class, slow to test against
_OPERANDS = (Tensor, float, int, numbers.Number, np.ndarray, np.generic)


def as_value(v, like):
    from .ops._common import as_tensor_like

    return as_tensor_like(v, like)


builtin_any = any
