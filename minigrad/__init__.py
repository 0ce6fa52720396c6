"""minigrad: a small reverse-mode autograd engine on NumPy with PyTorch's API.

``import minigrad as torch`` runs the course's code unchanged. Start reading at ``_tensor.py``
(the Tensor), then ``autograd/function.py`` (how an op records itself) and ``autograd/engine.py``
(the backward pass); each op is one small class in ``ops/``.
"""
from . import _dtype
from ._dtype import (
    bool_ as bool, dtype, float16, float32, float64, get_default_dtype, int8, int16, int32, int64,
    promote_types, set_default_dtype, uint8,
)
from ._dtype import result_type_of as result_type
from ._device import backends, cuda, device
from ._tensor import Size, Tensor
from ._tensor_ops import TensorOps as _TensorOps
from ._creation import as_tensor, from_numpy, tensor
from ._factories import (
    arange, empty, empty_like, eye, full, full_like, linspace, ones, ones_like, rand, rand_like, randint,
    randint_like, randn, randn_like, randperm, zeros, zeros_like,
)
from ._random import manual_seed, seed
from .autograd.grad_mode import (
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad, set_grad_enabled,
)
from .ops import (
    abs, add, all, allclose, amax, any, argmax, argmin, cat, clamp, clip, clone, concat, concatenate, cos,
    div, eq, equal, exp, expand, flatten, ge, gt, isclose, le, log, log_softmax, logsumexp, lt, matmul, max,
    maximum, mean, min, minimum, mul, ne, neg, norm, permute, pow, reciprocal, relu, reshape, select, sigmoid,
    sign, sin, softmax, sqrt, squeeze, stack, std, sub, sum, t, tanh, transpose, unsqueeze, var, where,
)

# Tensor's operators and methods live in _tensor_ops.py: they need the ops, and the ops need Tensor.
for _name, _member in vars(_TensorOps).items():
    # (__hash__ stays Tensor's own: a class defining __eq__ gets __hash__ = None, tensors must hash)
    if _name not in ("__slots__", "__module__", "__doc__", "__qualname__", "__dict__", "__weakref__", "__hash__"):
        setattr(Tensor, _name, _member)
del _name, _member

float = float32
double = float64
half = float16
long = int64
int = int32
__version__ = "0.1.0"

from . import autograd, nn, optim  # noqa: E402  (they use the names above)
