"""Activations and losses as plain functions (`import minigrad.nn.functional as F`).

Each function checks its arguments, with torch's errors, and is computed from the ops torch uses for
it, so the graph a lesson prints is torch's: linear is one addmm, mse_loss, nll_loss and the binary
cross-entropies are one node each (``ops/loss.py``), cross_entropy is log_softmax then nll_loss. Where
torch composes a function from smaller ops (l1_loss, label smoothing), so does minigrad.
"""
import math
import warnings

import minigrad
from .._dtype import SCALAR_NAMES
from ..ops._common import broadcast_shapes
from ..ops.arithmetic import AddScalar, DivScalar, MulScalar
from ..ops.loss import BinaryCrossEntropy, BinaryCrossEntropyWithLogits, MseLoss, NllLoss, NllLoss2d
from ..ops.matmul import Addmm
from ..ops.pointwise import MaskedFill

_REDUCTIONS = ("none", "mean", "sum")


# ----------------------------------------------------------------------------- helpers

def _type_name(dtype):
    """The short name torch's C++ messages use for a dtype ("Float", "Long", ...)."""
    return SCALAR_NAMES[dtype.np.name]


def _legacy_reduction(size_average, reduce):
    """Map the pre-1.0 `size_average`/`reduce` flags onto `reduction`, warning as torch does."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        reduction = "mean"
    elif reduce:
        reduction = "sum"
    else:
        reduction = "none"
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  f"reduction='{reduction}' instead.", stacklevel=3)
    return reduction


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction. "
                         "Use 'mean' (average over elements), 'sum', or 'none' (one loss per element).")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_no_grad_needed(function, argument, tensor):
    # torch's fused kernels have no derivative for their weight arguments and say so.
    if tensor is not None and tensor.requires_grad and minigrad.is_grad_enabled():
        raise RuntimeError(f"The function '{function}' is not differentiable with respect to argument "
                           f"'{argument}'. This input cannot have requires_grad True. Pass "
                           f"{argument}.detach() if the {argument} is computed.")


def _size_str(shape):
    """torch's C++ way of printing a shape: [2, 3]."""
    return str(list(shape))


# ----------------------------------------------------------------------------- layers and activations

def linear(input, weight, bias=None):
    """y = x W^T + b, with W of shape (out_features, in_features).

    As torch computes it: with a bias, one addmm of the rows of x (x itself when 2-d, else x viewed
    as rows, when its elements lie in row order) and W.t(); otherwise x @ W.t(), then the bias.
    """
    if input.dim() == 0 or weight.dim() == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {input.dim()}D "
                           f"and {weight.dim()}D. A layer maps vectors: give x a features dim, e.g. x[None].")
    if bias is not None:
        if input.dim() == 2:
            return Addmm.apply(bias, input, weight.t())
        if bias.dim() == 1 and input._data.flags.c_contiguous:
            *batch, features = input.shape
            output = Addmm.apply(bias, input.reshape(math.prod(batch), features), weight.t())
            return output.view(*batch, output.shape[1])
    output = input.matmul(weight.t())
    if bias is not None:
        output.add_(bias)  # in place, as torch: the bias may not make the output bigger
    return output


def relu(input, inplace=False):
    if inplace:
        return input.relu_()
    return input.relu()


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def _softmax_dim(name, ndim, stacklevel):
    # torch's legacy guess for a missing dim: 0 for 0-, 1- and 3-D inputs, else 1.
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x_i) / sum_j exp(x_j) along `dim`."""
    if dim is None:
        dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return input.softmax(dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x_i - logsumexp(x) along `dim`: the log of softmax, computed without overflow."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return input.log_softmax(dim)


# ----------------------------------------------------------------------------- regression losses

def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error: (input - target)^2, then reduced."""
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=2)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    expanded_input, expanded_target = _broadcast_tensors(input, target)
    if weight is not None:
        # torch spells the weighted loss out in ops
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size. "
                             "Pass one weight per element of input.")
        _check_reduction(reduction)
        loss = (expanded_input - expanded_target) ** 2 * weight
        if reduction == "mean":
            return loss.sum() / weight.sum()
        return _reduce(loss, reduction)
    _check_reduction(reduction)
    return MseLoss.apply(expanded_input, expanded_target, reduction)


def _broadcast_tensors(a, b):
    """Both expanded to their common shape (torch.broadcast_tensors): a tensor of that shape stays as it is."""
    shape = broadcast_shapes(a.shape, b.shape)
    return (a if a.shape == shape else a.expand(shape)), (b if b.shape == shape else b.expand(shape))


# ----------------------------------------------------------------------------- classification losses

def _check_class_weight(weight, n_classes, prefix=""):
    if weight is not None and not (weight.dim() == 1 and weight.numel() == n_classes):
        raise RuntimeError(f"{prefix}weight tensor should be defined either for all {n_classes} classes "
                           f"or no classes but got weight tensor of shape: {_size_str(weight.shape)}. "
                           "Give one weight per class, in class order.")


def _class_shape(ndim, n_classes, class_dim):
    """Shape that lines a per-class vector up with dim `class_dim` of an `ndim`-D input."""
    shape = [1] * ndim
    shape[class_dim] = n_classes
    return shape


def _check_targets_in_range(target, n_classes, ignore_index):
    """Raise torch's IndexError for a class index that is neither a class nor ignore_index."""
    values = target.numpy()  # plain NumPy: this check is bookkeeping, not part of the graph
    if values.size == 0 or (values.min() >= 0 and values.max() < n_classes):
        return
    for value in values.ravel().tolist():
        if value != ignore_index and not 0 <= value < n_classes:
            raise IndexError(f"Target {value} is out of bounds. Class indices must lie in "
                             f"[0, {n_classes}) for an input with {n_classes} classes.")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log likelihood: -input[n, target[n]] (input holds log-probabilities), then reduced.

    With `weight`, sample n counts weight[target[n]] times and 'mean' divides by the total weight.
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    return _nll(input, target, weight, ignore_index, reduction, 0.0)


def _nll(logp, target, weight, ignore_index, reduction, label_smoothing):
    """nll_loss of log-probabilities `logp`, optionally mixed with the uniform-target loss."""
    ndim = logp.dim()
    if ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {ndim}). "
                         "The input needs a class dimension: shape (C,) or (N, C, ...).")
    target_batch = target.shape[0] if target.dim() > 0 else 0
    if ndim != 1 and logp.shape[0] != target_batch:
        raise ValueError(f"Expected input batch_size ({logp.shape[0]}) to match target batch_size "
                         f"({target_batch}). Give exactly one class index per sample.")
    _check_no_grad_needed("nll_loss_forward", "weight", weight)
    class_dim = 0 if ndim == 1 else 1
    n_classes = logp.shape[class_dim]
    if ndim <= 2:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported. "
                               "Targets are class indices of shape (N,); for one-hot or soft "
                               "labels use a float target of the input's shape.")
    elif ndim == 4:
        if tuple(target.shape[1:]) != tuple(logp.shape[2:]):
            raise RuntimeError(f"size mismatch (got input: {_size_str(logp.shape)} , target: "
                               f"{_size_str(target.shape)}. The target's shape must be the input's "
                               "shape without the class dimension.")
    elif tuple(target.shape[1:]) != tuple(logp.shape[2:]):
        expected = [logp.shape[0]] + list(logp.shape[2:])
        raise RuntimeError(f"Expected target size {expected}, got {_size_str(target.shape)}. "
                           "The target's shape must be the input's shape without the class dimension.")
    _check_class_weight(weight, n_classes)
    if target.dtype != minigrad.int64 and target.dtype != getattr(minigrad, "uint8", minigrad.int64):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_type_name(target.dtype)}. "
                           "Class indices must be int64: build them with dtype=minigrad.long or call .long().")
    if ndim == 1 and target.dim() == 1 and target.shape[0] != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                         f"{target.shape[0]}. A single sample takes a single class index.")
    if weight is not None and weight.dtype != logp.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(logp.dtype)} but found "
                           f"{_type_name(weight.dtype)}. Give the class weights the input's dtype.")
    _check_targets_in_range(target, n_classes, ignore_index)
    target = target.long()  # a uint8 index would be read as a mask
    if label_smoothing > 0:
        return _smoothed_nll(logp, target, weight, ignore_index, reduction, label_smoothing)
    return _nll_nd(logp, target, weight, ignore_index, reduction)


def _nll_nd(logp, target, weight, ignore_index, reduction):
    """torch's nll_loss_nd: one node for inputs of 1, 2 or 4 dims; others are viewed as (N, C, 1, rest)."""
    if logp.dim() <= 2:
        return NllLoss.apply(logp, target, weight, reduction, ignore_index)
    if logp.dim() == 4:
        return NllLoss2d.apply(logp, target, weight, reduction, ignore_index)
    n, n_classes, *rest = logp.shape
    # (0, 0) for an empty tensor: -1 could not be worked out
    logp = logp.reshape(n, n_classes, *((1, -1) if logp.numel() else (0, 0)))
    target = target.reshape(n, *((1, -1) if target.numel() else (0, 0)))
    loss = NllLoss2d.apply(logp, target, weight, reduction, ignore_index)
    return loss.view(n, *rest) if reduction == "none" else loss


def _smoothed_nll(logp, target, weight, ignore_index, reduction, label_smoothing):
    """(1 - eps) nll + eps/C * (the loss against the uniform distribution), spelled out in ops as torch
    does: label smoothing mixes the target class with all the others."""
    class_dim = 0 if logp.dim() == 1 else 1
    n_classes = logp.shape[class_dim]
    nll = _nll_nd(logp, target, weight, ignore_index, reduction)
    if weight is not None:
        logp = logp * weight.view(_class_shape(logp.dim(), n_classes, class_dim))
    kept = target != ignore_index
    uniform = MaskedFill.apply(-logp.sum(class_dim), ~kept, 0.0)
    if reduction == "mean":
        # divided by the total weight of the samples that are not ignored, as nll_loss's mean is
        total = kept.sum() if weight is None else (weight[minigrad.where(kept, target, 0)] * kept).sum()
        uniform = uniform.sum() / total
    elif reduction == "sum":
        uniform = uniform.sum()
    return MulScalar.apply(nll, 1 - label_smoothing) + MulScalar.apply(uniform, label_smoothing / n_classes)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """-log softmax(input)[target]: log_softmax over the class dim followed by nll_loss.

    `target` holds int64 class indices (shape (N,) or (N, d1, ...)), or, when it has the input's
    shape, floating point class probabilities.
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}. "
                           "It is the share of probability spread evenly over all classes.")
    class_dim = 0 if input.dim() == 1 else 1
    if input.shape == target.shape:
        return _cross_entropy_probabilities(input, target, weight, ignore_index, reduction,
                                            label_smoothing, class_dim)
    if input.dim() == 0:
        raise ValueError("Expected 1 or more dimensions (got 0). "
                         "The input needs a class dimension: shape (C,) or (N, C, ...).")
    return _nll(log_softmax(input, class_dim), target, weight, ignore_index, reduction,
                max(label_smoothing, 0.0))


def _cross_entropy_probabilities(input, target, weight, ignore_index, reduction, label_smoothing,
                                 class_dim):
    if not target.is_floating_point():
        raise RuntimeError("Expected floating point type for target with class probabilities, got "
                           f"{_type_name(target.dtype)}. A target with the input's shape is read as "
                           "probabilities; class indices have shape (N,).")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target. "
                           "Give ignored samples an all-zero probability row instead.")
    n_classes = input.shape[class_dim]
    _check_class_weight(weight, n_classes, prefix="cross_entropy: ")
    logp = log_softmax(input, class_dim)
    if label_smoothing > 0:
        # torch's own code mixes in the uniform distribution with scalar ops (MulBackward1, AddBackward1
        # when the target requires grad)
        target = AddScalar.apply(MulScalar.apply(target, 1 - label_smoothing), label_smoothing / n_classes)
    loss = logp * target
    if weight is not None:
        loss = loss * weight.reshape(_class_shape(input.dim(), n_classes, class_dim))
    if reduction == "none":
        return -loss.sum(class_dim)
    if reduction == "sum":
        return -loss.sum()
    return DivScalar.apply(-loss.sum(), input.numel() // n_classes)  # the mean over the samples


def _check_target_dtype(input, target):
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {_type_name(target.dtype)} but expected "
                           f"{_type_name(input.dtype)}. Convert the target with "
                           ".to(input.dtype) (0/1 labels are usually made with .float()).")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-(t log p + (1 - t) log(1 - p)) for probabilities p = input; each log is clamped at -100."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size. "
                         "Reshape one of them, e.g. target.view_as(input).")
    _check_no_grad_needed("binary_cross_entropy", "weight", weight)
    _check_target_dtype(input, target)
    if input.numel():
        if not (input.min().item() >= 0 and input.max().item() <= 1):
            raise RuntimeError("all elements of input should be between 0 and 1. "
                               "binary_cross_entropy expects probabilities: apply sigmoid first, "
                               "or use binary_cross_entropy_with_logits on raw scores.")
        if not (target.min().item() >= 0 and target.max().item() <= 1):
            raise RuntimeError("all elements of target should be between 0 and 1. "
                               "Targets are probabilities (usually 0. or 1.).")
    return BinaryCrossEntropy.apply(input, target, weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target), computed from the logits without overflow."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()}). Reshape one of them, e.g. target.view_as(input).")
    _check_no_grad_needed("binary_cross_entropy_with_logits", "weight", weight)
    _check_no_grad_needed("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean absolute error: |input - target|, then reduced."""
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=2)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    return _reduce((input - target).abs(), reduction)
