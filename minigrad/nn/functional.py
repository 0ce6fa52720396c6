"""Activations and losses as plain functions (`import minigrad.nn.functional as F`).

Every function here is composed from engine ops, so autograd derives the gradients. The one
exception is binary_cross_entropy, whose composed slope would be nan at exactly 0 and 1.
"""
import warnings

import minigrad

_REDUCTIONS = ("none", "mean", "sum")


# ----------------------------------------------------------------------------- helpers

def _type_name(dtype):
    """The short name torch's C++ messages use for a dtype ("Float", "Long", ...)."""
    names = {"float16": "Half", "float32": "Float", "float64": "Double", "uint8": "Byte",
             "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long", "bool": "Bool"}
    for attr, name in names.items():
        if getattr(minigrad, attr, None) == dtype:
            return name
    return str(dtype)


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
    """y = x W^T + b, with W of shape (out_features, in_features)."""
    output = input.matmul(weight.T)
    if bias is not None:
        output = output + bias
    return output


def relu(input, inplace=False):
    if inplace:
        return input.clamp_(min=0)
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
    diff = input - target
    if weight is not None:
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size. "
                             "Pass one weight per element of input.")
        _check_reduction(reduction)
        loss = diff * diff * weight
        if reduction == "mean":
            return loss.sum() / weight.sum()
        return _reduce(loss, reduction)
    _check_reduction(reduction)
    if not diff.is_floating_point():
        raise NotImplementedError(f"\"mse_cpu\" not implemented for '{_type_name(diff.dtype)}'. "
                                  "Losses need floating point tensors: call .float() on them first.")
    return _reduce(diff * diff, reduction)


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
    """Raise torch's IndexError for a bad class index; return True if no target is ignore_index."""
    values = target.numpy()  # plain NumPy: this check is bookkeeping, not part of the graph
    if values.size == 0:
        return True
    if values.min() >= 0 and values.max() < n_classes:
        return not 0 <= ignore_index < n_classes or not (values == ignore_index).any()
    for value in values.ravel().tolist():
        if value != ignore_index and not 0 <= value < n_classes:
            raise IndexError(f"Target {value} is out of bounds. Class indices must lie in "
                             f"[0, {n_classes}) for an input with {n_classes} classes.")
    return False


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
    all_plain = _check_targets_in_range(target, n_classes, ignore_index)
    target = target.long()  # a uint8 index would be read as a mask
    if ndim == 1:
        # A single sample: treat it as a batch of one, and hand back a 0-d loss at the end.
        logp, target, class_dim = logp.unsqueeze(0), target.reshape(1), 1
    if all_plain and weight is None and label_smoothing == 0 and logp.dim() == 2:
        # The common case: pick logp[n, target[n]] for every sample n.
        loss = -logp[minigrad.arange(logp.shape[0]), target]
        if reduction == "none":
            return loss.reshape(()) if ndim == 1 else loss
        return _reduce(loss, reduction)

    # picks[n, c] = 1 where c is sample n's class. A target equal to ignore_index matches no class
    # when it lies outside [0, C); inside that range it must be masked out explicitly.
    classes = minigrad.arange(n_classes).reshape(_class_shape(target.dim() + 1, n_classes, class_dim))
    picks = (target.unsqueeze(class_dim) == classes).to(logp.dtype)
    kept = None
    if not all_plain or label_smoothing > 0:
        kept = (target != ignore_index).to(logp.dtype).unsqueeze(class_dim)
        if 0 <= ignore_index < n_classes:
            picks = picks * kept
    class_weight = None
    if weight is not None:
        class_weight = weight.reshape(_class_shape(picks.dim(), n_classes, class_dim))
        picks = picks * class_weight
    coefficients = picks
    if label_smoothing > 0:
        # (1 - eps) * nll + eps/C * sum_c -w_c logp_c over the kept samples
        uniform = kept * (label_smoothing / n_classes)
        if class_weight is not None:
            uniform = uniform * class_weight
        coefficients = picks * (1 - label_smoothing) + uniform
    loss = -(logp * coefficients).sum(class_dim)
    if reduction == "mean":
        if all_plain and weight is None:
            return loss.mean()
        # weighted mean: divide by the total weight of the samples that were not ignored
        return loss.sum() / picks.sum()
    if reduction == "sum":
        return loss.sum()
    return loss.reshape(()) if ndim == 1 else loss


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
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    if weight is not None:
        target = target * weight.reshape(_class_shape(input.dim(), n_classes, class_dim))
    loss = logp * target
    if reduction == "none":
        return -loss.sum(class_dim)
    if reduction == "sum":
        return -loss.sum()
    return -loss.sum() / (input.numel() / n_classes)


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
    loss = _BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


class _BinaryCrossEntropy(minigrad.autograd.Function):
    """-(t log x + (1 - t) log(1 - x)) element-wise, each log clamped at -100 as torch does.

    This loss has its own backward, like torch's kernel: composed from log and clamp, the slope
    at x = 0 or x = 1 (a saturated sigmoid) would be 0 * inf = nan. Here it is
    (x - t) / max(x (1 - x), 1e-12), finite everywhere.
    """

    _grad_fn_name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx, input, target):
        ctx.save_for_backward(input, target)
        return -(target * input.log().clamp(min=-100) + (1 - target) * (1 - input).log().clamp(min=-100))

    @staticmethod
    def backward(ctx, grad):
        input, target = ctx.saved_tensors
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            grad_input = grad * (input - target) / (input * (1 - input)).clamp(min=1e-12)
        if ctx.needs_input_grad[1]:
            grad_target = grad * ((1 - input).log() - input.log())
        return grad_input, grad_target


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target) computed stably from the logits.

    loss = (1 - t) x + lw * softplus(-x) with lw = 1 + (pos_weight - 1) t, and
    softplus(-x) = max(-x, 0) + log(1 + exp(-|x|)) never overflows.
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()}). Reshape one of them, e.g. target.view_as(input).")
    _check_no_grad_needed("binary_cross_entropy_with_logits", "weight", weight)
    _check_no_grad_needed("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    # maximum() splits its gradient at a tie, so x = 0 gets the exact slope sigmoid(0) - t.
    softplus_neg = minigrad.maximum(-input, minigrad.zeros_like(input)) + (1 + (-input.abs()).exp()).log()
    if pos_weight is None:
        loss = (1 - target) * input + softplus_neg
    else:
        loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * softplus_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


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
