"""Losses that torch computes as one op, each with its own node: mse_loss, nll_loss, binary_cross_entropy
and binary_cross_entropy_with_logits. ``nn.functional`` checks the arguments and calls them.

Each forward reduces the per-element losses itself ('none', 'sum' or 'mean'), so the loss is one node
whose backward is the loss's own formula, as in torch's graph.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._quietly import quietly_reduce
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import common_arrays, quietly


def _reduced(losses: np.ndarray, reduction: str, count: float | None = None) -> np.ndarray:
    """The per-element losses, their sum, or their sum divided by ``count`` (default: how many there are)."""
    if reduction == "none":
        return losses
    total = quietly_reduce(np.add, losses, None)  # an overflow is inf, as in torch: no warning
    if reduction == "sum":
        return total
    return quietly(np.true_divide, total, losses.size if count is None else count)  # empty: 0/0 is nan


def _per_element(ctx, grad):
    """The incoming gradient, for each element that was reduced ('mean' divides it by their count)."""
    return grad / ctx.count if ctx.reduction == "mean" else grad


def _weighted_reduced(losses: np.ndarray, weight, reduction: str, dtype) -> np.ndarray:
    """The binary cross-entropies' per-element losses, times the weight if any, in the input's dtype, reduced."""
    if weight is not None:
        losses = losses * weight._data
    return _reduced(losses.astype(dtype, copy=False), reduction)


def _weighted_per_element(ctx, grad):
    """_per_element, times the weight if any (the binary cross-entropies)."""
    g = _per_element(ctx, grad)
    return g if ctx.weight is None else g * ctx.weight


class MseLoss(Function):
    """d/da (a - t)**2 = 2 (a - t) per element (divided by the count for 'mean'); d/dt is its negative"""
    _grad_fn_name, _builtin, _ctx_slots = "MseLossBackward0", True, ("reduction", "count")

    @staticmethod
    def forward(ctx, input, target, reduction):
        x, t = common_arrays(input, target)  # of one shape: nn.functional expanded them
        if x.dtype.kind not in "fc":
            raise NotImplementedError(f"\"mse_cpu\" not implemented for '{_dtype.SCALAR_NAMES[x.dtype.name]}'"
                                      ". Losses need floating point tensors: call .float() on them first.")
        ctx.save_for_backward(input, target)
        ctx.reduction, ctx.count = reduction, x.size or 1  # (an empty input has an empty gradient)
        diff = quietly(np.subtract, x, t)
        return _reduced(quietly(np.multiply, diff, diff), reduction)

    @staticmethod
    def backward(ctx, grad):
        a, t = ctx.saved_tensors
        slope = _per_element(ctx, grad) * (a - t) * 2
        return slope, -slope, None

    @staticmethod
    def vjp(ctx, grad):
        a, t = ctx.saved_arrays
        if a.dtype != t.dtype:  # NumPy would promote where torch differentiates in the input's dtype
            return None
        slope = _per_element(ctx, grad) * (a - t) * 2
        return slope, -slope, None


class NllLoss(Function):
    """d/da[n, t[n]] = -w[t[n]] (divided by the total weight for 'mean'), and 0 for every other element
    and for the samples whose target is ignore_index"""
    _grad_fn_name, _builtin = "NllLossBackward0", True
    _ctx_slots = ("dim", "shape", "classes", "slopes", "reduction", "ignore_index")
    _listed_args = (0,)  # class indices and class weights have no gradient: torch lists only the input

    @staticmethod
    def forward(ctx, input, target, weight, reduction, ignore_index):
        x, classes = input._data, target._data
        dim = 0 if x.ndim == 1 else 1  # the class dim
        if x.ndim == 1:
            classes = classes.reshape(())  # one sample: its class may come as a 0-d or a 1-element tensor
        ignored = classes == ignore_index
        classes = np.where(ignored, 0, classes)  # an ignored sample may pick any class: it weighs 0
        weights = np.where(ignored, 0, 1 if weight is None else weight._data[classes]).astype(x.dtype)
        picked = np.take_along_axis(x, np.expand_dims(classes, dim), dim).squeeze(dim)  # x[n, t[n]]
        # an ignored sample's loss is 0, even where what it picked is -inf
        losses = np.where(ignored, 0, quietly(np.multiply, -weights, picked)).astype(x.dtype, copy=False)
        total = weights.sum()
        # the loss's slope in each picked element: 0 for an ignored sample, even when all are ignored
        slopes = -weights
        if reduction == "mean":
            slopes = np.where(ignored, 0, quietly(np.true_divide, slopes, total))
        # the input too, as torch keeps it: changed in place before backward, it is an error there
        ctx.save_for_backward(input, target, weight)
        ctx.dim, ctx.shape, ctx.classes, ctx.slopes = dim, x.shape, classes, slopes.astype(x.dtype, copy=False)
        ctx.reduction, ctx.ignore_index = reduction, ignore_index
        return _reduced(losses, reduction, total)

    @staticmethod
    def backward(ctx, grad):
        input, target, weight = ctx.saved_tensors
        return ctx._forward_cls.gradient_op.apply(grad, input, target, weight, ctx), None, None, None, None

    @staticmethod
    def vjp(ctx, grad):
        x = ctx.saved_arrays[0]  # (checked: changed in place since forward, it is torch's error)
        out = np.zeros(x.shape, ctx.slopes.dtype)
        picked = np.expand_dims(grad * ctx.slopes, ctx.dim)
        np.put_along_axis(out, np.expand_dims(ctx.classes, ctx.dim), picked, ctx.dim)
        return out, None, None, None, None


class NllLossBackward(Function):
    """nll_loss's backward as an op (torch's nll_loss_backward): d/dgrad is nll_loss itself, of the
    gradient's gradient; d/dinput is 0

    Recorded only when a gradient's graph is wanted (create_graph). Its result then depends on the
    input, as in torch, so a second derivative gives 0 instead of raising that nothing requires grad
    (the first derivative of nll_loss is a constant)."""
    _grad_fn_name, _builtin = "NllLossBackwardBackward0", True
    _ctx_slots = ("loss",)
    _listed_args = (0, 1)  # torch lists the incoming gradient and the input

    @staticmethod
    def forward(ctx, grad, input, target, weight, loss):
        ctx.save_for_backward(target, weight)  # its own: the loss's node may be freed before this one
        ctx.loss = loss  # the loss's node: which elements were picked, their slopes
        return NllLoss.vjp(loss, grad._data)[0]

    @staticmethod
    def backward(ctx, grad):
        target, weight = ctx.saved_tensors
        loss = ctx.loss
        return (loss._forward_cls.apply(grad, target, weight, loss.reduction, loss.ignore_index),
                Tensor._make(np.zeros(loss.shape, loss.slopes.dtype)), None, None, None)


class NllLoss2d(NllLoss):
    """nll_loss of images: input (N, C, H, W), target (N, H, W)"""
    _grad_fn_name = "NllLoss2DBackward0"


class NllLoss2dBackward(NllLossBackward):
    _grad_fn_name = "NllLoss2DBackwardBackward0"


NllLoss.gradient_op, NllLoss2d.gradient_op = NllLossBackward, NllLoss2dBackward


class BinaryCrossEntropy(Function):
    """d/dx = w (x - t) / max(x (1 - x), 1e-12); d/dt = w (log(1 - x) - log(x)) (divided by the count
    for 'mean')

    The loss's own slope, as in torch's kernel: composed from log and clamp, it would be 0 * inf = nan at
    x = 0 or x = 1 (a saturated sigmoid). Each log in the loss is clamped at -100, as torch does."""
    _grad_fn_name, _builtin = "BinaryCrossEntropyBackward0", True
    _ctx_slots = ("weight", "reduction", "count")
    _listed_args = (0, 1)  # the weight has no gradient: torch lists the input and the target

    @staticmethod
    def forward(ctx, input, target, weight, reduction):
        x, t = input._data, target._data
        ctx.save_for_backward(input, target)
        ctx.weight, ctx.reduction, ctx.count = weight, reduction, x.size or 1
        log_x = np.maximum(quietly(np.log, x), -100)
        log_rest = np.maximum(quietly(np.log1p, -x), -100)  # log(1 - x)
        return _weighted_reduced(-(t * log_x + (1 - t) * log_rest), weight, reduction, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        g = _weighted_per_element(ctx, grad)
        need_x, need_t = ctx.needs_input_grad[:2]
        grad_x = g * (x - t) / (x * (1 - x)).clamp(min=_EPSILON) if need_x else None
        grad_t = g * ((1 - x).log() - x.log()) if need_t else None
        return grad_x, grad_t, None, None


class BinaryCrossEntropyWithLogits(Function):
    """loss = (1 - t) x + l softplus(-x), l = 1 + (p - 1) t for the positive weight p (else 1):
    d/dx = l sigmoid(x) - p t (= sigmoid(x) - t without p), d/dt = -x + (p - 1) softplus(-x), each times
    the weight (and divided by the count for 'mean')"""
    _grad_fn_name, _builtin = "BinaryCrossEntropyWithLogitsBackward0", True
    _ctx_slots = ("weight", "pos_weight", "reduction", "count")
    _listed_args = (0, 1)  # the weights have no gradient: torch lists the input and the target

    @staticmethod
    def forward(ctx, input, target, weight, pos_weight, reduction):
        x, t = input._data, target._data
        ctx.save_for_backward(input, target)
        ctx.weight, ctx.pos_weight, ctx.reduction, ctx.count = weight, pos_weight, reduction, x.size or 1
        # softplus(-x) = log(1 + exp(-x)), written so that exp never overflows
        softplus = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))
        if pos_weight is not None:
            softplus = softplus * (1 + (pos_weight._data - 1) * t)
        return _weighted_reduced((1 - t) * x + softplus, weight, reduction, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        g = _weighted_per_element(ctx, grad)
        p = ctx.pos_weight
        need_x, need_t = ctx.needs_input_grad[:2]
        grad_x = grad_t = None
        if need_x:
            grad_x = g * (x.sigmoid() - t if p is None else (p * t + 1 - t) * x.sigmoid() - p * t)
        if need_t:
            softplus = (-x).clamp(min=0) + (1 + (-x.abs()).exp()).log()
            grad_t = g * (-x if p is None else (p - 1) * softplus - x)
        return grad_x, grad_t, None, None, None


_EPSILON = float(np.float32(1e-12))  # torch's bound on x (1 - x) is a float: 1e-12 as float32 has it
