"""A right and a wrong answer for every exercise, injected by test_selfcheck.py.

Maps lesson file -> exercise number -> (code of a right answer, code of a wrong answer).
"""

SOLUTIONS = {
    "01_tensors_and_graphs.ipynb": {
        "1": ("p = torch.tensor([1., 2., 3.], requires_grad=True)\n"
              "q = torch.tensor([4., 5., 6.], requires_grad=True)\n"
              "(p * p * q).sum().backward()\n"
              "answer_1 = p.grad",
              "answer_1 = q.detach()"),
        "2": ("answer_2 = (x * y).mean().grad_fn.name()", "answer_2 = 'SumBackward0'"),
        "3": ("a, b, c = (torch.tensor(v, requires_grad=True) for v in (1., 2., 3.))\n"
              "out = a * b + b * c\n"
              "seen, todo = {}, [out.grad_fn]\n"
              "while todo:\n"
              "    node = todo.pop()\n"
              "    if hasattr(node, 'variable'):\n"
              "        seen[id(node.variable)] = node.variable\n"
              "    todo += [n for n, _ in node.next_functions if n is not None]\n"
              "answer_3 = len(seen)",
              "answer_3 = 4"),
    },
}
SOLUTIONS["02_leaf_tensors.ipynb"] = {
    "1": ("a = torch.tensor([1.0], requires_grad=True)\nb = a * 2\nc = torch.tensor([1.0])\n"
          "d = c * 2\ne = b.detach()\nanswer_1 = [a.is_leaf, b.is_leaf, c.is_leaf, d.is_leaf, e.is_leaf]",
          "answer_1 = [True, False, True, False, False]"),
    "2": ("x = torch.tensor(2.0, requires_grad=True)\ny = x ** 3\ny.retain_grad()\nout = y * y\n"
          "out.backward()\nanswer_2 = [y.grad.item(), x.grad.item()]",
          "answer_2 = [16.0, 48.0]"),
    "3": ("x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\ns = (x * x).sum()\n"
          "s.backward(retain_graph=True)\ns.backward()\nanswer_3 = x.grad",
          "answer_3 = [2.0, 4.0, 6.0]"),
}
SOLUTIONS["03_detach_and_data.ipynb"] = {
    "1": ("a = torch.tensor([1.0, 2.0], requires_grad=True)\nb = a.detach()\nb.mul_(10)\nanswer_1 = a",
          "answer_1 = [1.0, 2.0]"),
    "2": ("x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\n(x ** 2 * x.detach()).sum().backward()\n"
          "answer_2 = x.grad",
          "answer_2 = [3.0, 12.0, 27.0]"),
    "3": ("x = torch.tensor([0.0, 1.0], requires_grad=True)\ny = x.exp()\ny.detach().add_(1)\n"
          "y.data.mul_(2)\ny.detach().mul_(3)\nanswer_3 = y._version",
          "answer_3 = 3"),
}
SOLUTIONS["04_backward_and_jacobians.ipynb"] = {
    "1": ("x = torch.tensor([2.0, 3.0], requires_grad=True)\ny = torch.stack([x[0] * x[1], x[0] + x[1]])\n"
          "answer_1 = [torch.autograd.grad(y[i], x, retain_graph=True)[0].tolist() for i in range(2)]",
          "answer_1 = [[3.0, 1.0], [2.0, 1.0]]"),
    "2": ("x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\ny = x ** 2\n"
          "y.backward(torch.tensor([1.0, 0.5, 2.0]))\nanswer_2 = x.grad",
          "answer_2 = [2.0, 4.0, 6.0]"),
    "3": ("x = torch.tensor(2.0, requires_grad=True)\n(g,) = torch.autograd.grad(x ** 4, x, create_graph=True)\n"
          "(h,) = torch.autograd.grad(g, x)\nanswer_3 = h.item()",
          "answer_3 = 32.0"),
}
SOLUTIONS["05_controlling_gradients.ipynb"] = {
    "1": ("t = torch.tensor([1.0], requires_grad=True)\nflags = []\n"
          "with torch.no_grad():\n    flags.append((t * 2).requires_grad)\n"
          "    with torch.enable_grad():\n        flags.append((t * 2).requires_grad)\n"
          "with torch.set_grad_enabled(True):\n    flags.append((t * 2).requires_grad)\n"
          "@torch.no_grad()\ndef g(u):\n    return u * 2\nflags.append(g(t).requires_grad)\nanswer_1 = flags",
          "answer_1 = [False, False, True, False]"),
    "2": ("answer_2 = count_nodes(deep(big, 7))", "answer_2 = 14"),
}
SOLUTIONS["06_accumulation_and_zeroing.ipynb"] = {
    "1": ("answer_1 = 1 / 5", "answer_1 = 1 / 4"),
    "2": ("x = torch.tensor(0.0, requires_grad=True)\nfor _ in range(3):\n    ((x - 1) ** 2).backward()\n"
          "    with torch.no_grad():\n        x -= 0.1 * x.grad\nanswer_2 = x.item()",
          "answer_2 = 0.488"),
    "3": ("x = torch.tensor(0.0, requires_grad=True)\nfor _ in range(3):\n    ((x - 1) ** 2).backward()\n"
          "    with torch.no_grad():\n        x -= 0.1 * x.grad\n    x.grad.zero_()\nanswer_3 = x.item()",
          "answer_3 = 1.008"),
}
SOLUTIONS["07_gradient_descent.ipynb"] = {
    "1": ("xs = descend(0.1, steps=60)\nanswer_1 = next(k for k, v in enumerate(xs) if abs(v + 1.5) < 0.001)",
          "answer_1 = 36"),
    "2": ("answer_2 = 1.0", "answer_2 = 0.5"),
    "3": ("points, losses = run(lambda ps: torch.optim.SGD(ps, lr=0.11))\n"
          "d = points[:, 1] + 0.5\nanswer_3 = d[5] / d[4]",
          "answer_3 = 1.2"),
}
SOLUTIONS["08_fitting_parameters.ipynb"] = {
    "1": ("A = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])\n"
          "answer_1 = np.linalg.lstsq(A, np.array([1.0, 2.0, 4.0]), rcond=None)[0]",
          "answer_1 = [1.0, 1.5]"),
    "2": ("xe, ye = torch.tensor(xe_np), torch.tensor(ye_np)\n"
          "ab = torch.tensor([1.0, 0.0], requires_grad=True)\nopt = torch.optim.Adam([ab], lr=0.05)\n"
          "for _ in range(2000):\n    opt.zero_grad()\n"
          "    ((ab[0] * torch.exp(ab[1] * xe) - ye) ** 2).mean().backward()\n    opt.step()\n"
          "answer_2 = ab",
          "answer_2 = [2.0, -0.7]"),
}
SOLUTIONS["09_capstone_digits.ipynb"] = {
    "1": ("answer_1 = sum(p.numel() for p in model.parameters())", "answer_1 = 2048 + 320"),
    "2": ("answer_2 = torch.nn.functional.cross_entropy(torch.zeros(5, 10), torch.tensor([0, 1, 2, 3, 4])).item()",
          "answer_2 = 1.0"),
}
