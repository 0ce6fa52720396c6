"""One hand-made wrong solution per check: it must lose exactly that check's points, with the hint.

Each entry: check -> (solution cell grade_id, edits, text the feedback must contain). An edit is
(old, new) applied once, or (anchor, old, new) applied once after `anchor`.
"""

RECURSIVE_TOPOSORT = '''def toposort(root):
    order, seen = [], set()

    def visit(node):
        if id(node) not in seen:
            seen.add(id(node))
            for parent in node.parents:
                visit(parent)
            order.append(node)

    visit(root)
    return order'''

RECURSIVE_BACKWARD = '''def backward(root, gradient=None):
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        gradient = np.ones_like(root.data)

    def send(node, g):
        if node.is_leaf:
            if node.requires_grad:
                node.grad = g.copy() if node.grad is None else node.grad + g
            return
        for parent, parent_grad in zip(node.parents, node.vjp(g)):
            if parent.requires_grad:
                send(parent, parent_grad)

    send(root, np.asarray(gradient, dtype=np.float64))'''

WRONG = {
    "backprop": {
        "toposort_order": ("toposort", [("if id(parent) not in seen:", "if True:")], "more than once"),
        "toposort_deep": ("toposort", [("*", RECURSIVE_TOPOSORT)], "recursion stops"),
        "backward_values": ("backward", [(
            "grads[id(parent)] = parent_grad if known is None else known + parent_grad",
            "grads[id(parent)] = parent_grad")], "elements differ"),
        "backward_accumulate": ("backward", [(
            "node.grad = g.copy() if node.grad is None else node.grad + g", "node.grad = g.copy()")],
            "overwrote"),
        "backward_nonleaf": ("backward", [(
            "        for parent, parent_grad in zip(",
            "        node.grad = g\n        for parent, parent_grad in zip(")],
            "only on leaves"),
        "backward_implicit": ("backward", [(
            'raise RuntimeError("grad can be implicitly created only for scalar outputs")', "pass")], "must raise RuntimeError"),
        "backward_deep": ("backward", [("*", RECURSIVE_BACKWARD)], "recursion stops"),
    },
    "vjp_rules": {
        "unbroadcast": ("unbroadcast", [(
            "return grad.sum(axis=stretched, keepdims=True).reshape(shape)", "return grad")],
            "broadcast dimension was not summed back"),
        "add_vjp": ("binary", [("return unbroadcast(g, np.shape(a)), unbroadcast(g, np.shape(b))",
                                "return unbroadcast(g, np.shape(a)), g")], "not summed back"),
        "sub_vjp": ("binary", [("unbroadcast(-g, np.shape(b))", "unbroadcast(g, np.shape(b))")],
                    "sign is wrong"),
        "mul_vjp": ("binary", [("unbroadcast(g * b, np.shape(a))", "unbroadcast(g * a, np.shape(a))")],
                    "elements differ"),
        "div_vjp": ("binary", [("unbroadcast(-g * a / b**2, np.shape(b))",
                                "unbroadcast(g * a / b**2, np.shape(b))")], "sign is wrong"),
        "pow_vjp": ("binary", [("g * a**b * np.log(a)", "g * a**b")], "elements differ"),
        "exp_vjp": ("unary", [("return g * np.exp(a)", "return g * a")], "elements differ"),
        "log_vjp": ("unary", [("return g / a", "return g * a")], "elements differ"),
        "tanh_vjp": ("unary", [("return g * (1 - np.tanh(a) ** 2)", "return g * (1 - np.tanh(a))")],
                     "elements differ"),
        "sigmoid_vjp": ("unary", [("return g * s * (1 - s)", "return g * s")], "elements differ"),
        "relu_vjp": ("unary", [("return g * (a > 0)", "return g * (a >= 0)")], "elements differ"),
        "sum_vjp": ("reductions", [("def sum_vjp", "    if not keepdims:\n", "    if True:\n")],
                    "raised"),
        "mean_vjp": ("reductions", [("return np.broadcast_to(g, a.shape) / count",
                                     "return np.broadcast_to(g, a.shape).copy()")], "elements differ"),
        "matmul_vjp": ("matmul", [("grad_a = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape)",
                                   "grad_a = g2 @ np.swapaxes(b2, -1, -2)"),
                                  ("return grad_a.reshape(a.shape),",
                                   "return grad_a.reshape(a.shape) if a.ndim == 1 else grad_a,")],
                       "not summed back"),
    },
    "grad_mode": {
        "is_grad_enabled": ("switches", [("return _grad_mode.enabled", "return int(_grad_mode.enabled)")],
                            "'int'"),
        "set_grad_enabled": ("switches", [
            ("        self.previous = _grad_mode.enabled\n        _grad_mode.enabled = bool(mode)\n",
             "        self.previous = _grad_mode.enabled\n        self.mode = bool(mode)\n"),
            ("    def __enter__(self):\n        return None\n",
             "    def __enter__(self):\n        _grad_mode.enabled = self.mode\n")],
            "grad mode after calling set_grad_enabled(False)"),
        "no_grad_context": ("no_grad", [("_grad_mode.enabled = self.previous", "_grad_mode.enabled = True")],
                            "restore exactly that"),
        "no_grad_decorator": ("no_grad", [("        @functools.wraps(function)\n", "")], "functools.wraps"),
        "enable_grad": ("no_grad", [("class enable_grad", "_grad_mode.enabled = self.previous",
                                     "_grad_mode.enabled = False")], "restore exactly that"),
        "detach": ("detach", [("return Tensor(t.data)", "return Tensor(t.data.copy())")], "shares the data"),
    },
    "descent": {
        "sgd_plain": ("sgd", [("            p.data -= self.lr * d",
                               "            if not self.momentum and not self.weight_decay:\n"
                               "                d = -d\n            p.data -= self.lr * d")], "wrong sign"),
        "sgd_momentum": ("sgd", [("d = d + self.momentum * buf if self.nesterov else buf",
                                  "d = d + self.momentum * buf if self.nesterov else d + buf")],
                         "elements differ"),
        "sgd_weight_decay": ("sgd", [("d = p.grad + self.weight_decay * p.data",
                                      "d = p.grad - self.weight_decay * p.data")], "elements differ"),
        "sgd_nesterov": ("sgd", [("d = d + self.momentum * buf if self.nesterov else buf", "d = buf")],
                         "elements differ"),
        "adam": ("adam", [("beta1, beta2 = self.betas", "beta1, beta2 = 0.9, 0.999")], "elements differ"),
        "adam_weight_decay": ("adam", [
            ("g = p.grad + self.weight_decay * p.data if self.weight_decay else p.grad",
             "g = p.grad\n            p.data -= self.lr * self.weight_decay * p.data")],
            "elements differ"),
        "zero_grad": ("sgd", [("            p.grad = None", "            p.grad = np.zeros_like(p.data)")],
                      "set_to_none"),
        "minimize": ("minimize", [("trajectory = [x.data.copy()]", "trajectory = []")], "steps + 1"),
        "fit": ("fit", [("return w.data.copy()", "return w.data[::-1].copy()")], "reversed"),
    },
}


def apply(text: str, edits) -> str:
    for edit in edits:
        if edit[0] == "*":
            text = edit[1]
            continue
        anchor, old, new = edit if len(edit) == 3 else ("", *edit)
        head, sep, tail = text.partition(anchor) if anchor else ("", "", text)
        assert old in tail, f"edit does not apply: {old!r}"
        text = head + sep + tail.replace(old, new, 1)
    return text
