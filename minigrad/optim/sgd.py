"""Stochastic gradient descent, with optional momentum, dampening, Nesterov and weight decay."""
import minigrad
from .optimizer import Optimizer


class SGD(Optimizer):
    """p <- p - lr * g, where g is the gradient, optionally turned into a momentum buffer:

        g = grad (+ weight_decay * p);  b = g on the first step, else momentum * b + (1 - dampening) * g
        g = b, or with Nesterov g + momentum * b
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}. The learning rate is a step size and "
                             "must be >= 0.")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}. Momentum must be >= 0 "
                             "(0 turns it off).")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}. Weight decay must be >= 0 "
                             "(0 turns it off).")
        # foreach/differentiable/fused are kept in the groups for torch compatibility; minigrad has
        # a single implementation.
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening. "
                             "Pass momentum > 0 and leave dampening at 0.")
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns closure()'s loss if given."""
        loss = self._evaluate(closure)
        with minigrad.no_grad():
            for group in self.param_groups:
                lr = group["lr"]
                momentum = group["momentum"]
                dampening = group["dampening"]
                weight_decay = group["weight_decay"]
                nesterov = group["nesterov"]
                maximize = group["maximize"]
                for p in group["params"]:
                    grad = p.grad
                    if grad is None:
                        continue
                    if maximize:
                        grad = -grad
                    if weight_decay != 0:
                        grad = grad.add(p, alpha=weight_decay)
                    if momentum != 0:
                        state = self.state[p]
                        buf = state.get("momentum_buffer")
                        if buf is None:
                            buf = state["momentum_buffer"] = grad.detach().clone()
                        else:
                            buf.mul_(momentum).add_(grad, alpha=1 - dampening)
                        grad = grad.add(buf, alpha=momentum) if nesterov else buf
                    p.add_(grad, alpha=-lr)
        return loss
