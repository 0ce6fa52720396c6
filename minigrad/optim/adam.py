"""Adam: per-coordinate step sizes from running averages of the gradient and its square."""
import minigrad
from .optimizer import Optimizer


class Adam(Optimizer):
    """With g the gradient and t the step count:

        m = beta1 * m + (1 - beta1) * g          v = beta2 * v + (1 - beta2) * g^2
        p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    weight_decay adds weight_decay * p to g; with decoupled_weight_decay (AdamW) it instead
    shrinks p by lr * weight_decay first. amsgrad uses the running maximum of v.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}. The learning rate is a step size and "
                             "must be >= 0.")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}. eps guards a division and must be >= 0.")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}. Betas are averaging "
                             "factors in [0, 1).")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}. Betas are averaging "
                             "factors in [0, 1).")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}. Weight decay must be >= 0 "
                             "(0 turns it off).")
        if not (isinstance(betas[0], float) and isinstance(betas[1], float)):
            raise ValueError("betas must be either both floats or both Tensors. "
                             "Write them as floats, e.g. betas=(0.9, 0.999).")
        # foreach/capturable/differentiable/fused are kept in the groups for torch compatibility;
        # minigrad has a single implementation.
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns closure()'s loss if given."""
        loss = self._evaluate(closure)
        with minigrad.no_grad():
            for group in self.param_groups:
                lr = group["lr"]
                beta1, beta2 = group["betas"]
                eps = group["eps"]
                weight_decay = group["weight_decay"]
                amsgrad = group["amsgrad"]
                maximize = group["maximize"]
                decoupled = group["decoupled_weight_decay"]
                for p in group["params"]:
                    grad = p.grad
                    if grad is None:
                        continue
                    state = self.state[p]
                    if len(state) == 0:
                        state["step"] = minigrad.tensor(0.0)
                        state["exp_avg"] = minigrad.zeros_like(p)
                        state["exp_avg_sq"] = minigrad.zeros_like(p)
                        if amsgrad:
                            state["max_exp_avg_sq"] = minigrad.zeros_like(p)
                    exp_avg = state["exp_avg"]
                    exp_avg_sq = state["exp_avg_sq"]
                    step = state["step"].add_(1).item()

                    if maximize:
                        grad = -grad
                    if weight_decay != 0:
                        if decoupled:
                            p.mul_(1 - lr * weight_decay)
                        else:
                            grad = grad.add(p, alpha=weight_decay)
                    exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
                    exp_avg_sq.mul_(beta2).add_(grad * grad, alpha=1 - beta2)

                    # The bias corrections undo the pull of the zero initial m and v towards 0.
                    step_size = lr / (1 - beta1**step)
                    bias_correction2_sqrt = (1 - beta2**step) ** 0.5
                    if amsgrad:
                        max_exp_avg_sq = state["max_exp_avg_sq"]
                        max_exp_avg_sq.copy_(minigrad.maximum(max_exp_avg_sq, exp_avg_sq))
                        denom = max_exp_avg_sq.sqrt().div_(bias_correction2_sqrt).add_(eps)
                    else:
                        denom = exp_avg_sq.sqrt().div_(bias_correction2_sqrt).add_(eps)
                    p.add_(exp_avg / denom, alpha=-step_size)
        return loss
