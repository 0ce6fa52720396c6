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
