"""Checks for `backprop`: the student's `toposort(root)` and `backward(root, gradient=None)`.

Graphs are drawn from the seed as a spec (leaves and operations); `_build` turns a spec into nodes
of whichever engine it is given: the notebook's `Tensor` in the harness, torch in the judge.
"""
from __future__ import annotations

import functools

import numpy as np

from ._core import (Check, compare, describe_error, grad_of, guarded, is_error, results_for,
                    student, substituted, torch_float64, torch_grad, verdict)

ASSIGNMENT = "backprop"
UNARY = ("neg", "exp", "tanh", "square", "scale")
BINARY = ("add", "mul")
DEEP = 100_000
GRAPHS = 3  # random graphs per check


def _graph_spec(rng: np.random.Generator) -> dict:
    """A random expression over a few leaves: shared subexpressions make diamonds."""
    while True:
        shape = tuple(int(s) for s in rng.integers(1, 4, size=int(rng.integers(0, 3))))
        n_leaves = int(rng.integers(2, 5))
        requires = [True] + [bool(rng.random() < 0.7) for _ in range(n_leaves - 1)]
        data = [rng.normal(0.0, 0.6, size=shape) for _ in range(n_leaves)]
        ops, n = [], n_leaves
        for _ in range(int(rng.integers(6, 14))):
            kind = str(rng.choice(UNARY + BINARY))
            first = int(rng.integers(max(0, n - 4), n))
            second = int(rng.integers(0, n))
            ops.append((kind, first, second, round(float(rng.uniform(-1.5, 1.5)), 3)))
            n += 1
        roots = [n - 1, int(rng.integers(0, n)), int(rng.integers(n_leaves, n))]
        spec = {"requires": requires, "data": data, "ops": ops, "roots": roots}
        values, parents, root = _build(spec, _NUMPY)
        if parents[root] and all(np.all(np.abs(v) < 30) for v in values):
            return spec


class _Ops:
    """How one engine spells the operations a spec uses."""

    def __init__(self, leaf, const):
        self.leaf, self.const = leaf, const

    def apply(self, kind, x, y=None):
        if kind == "add":
            return x + y
        if kind in ("mul", "scale"):
            return x * y
        if kind == "neg":
            return -x
        if kind == "square":
            return x**2
        if kind == "sum":
            return x.sum()
        return getattr(x, kind)() if hasattr(x, kind) else getattr(np, kind)(x)


_NUMPY = _Ops(lambda data, requires: np.asarray(data), lambda c: np.asarray(c))


def _build(spec: dict, ops: _Ops):
    """(nodes, parents, root): every node in creation order, its parents' indices, the root's index."""
    nodes = [ops.leaf(d, r) for d, r in zip(spec["data"], spec["requires"])]
    parents: list[list[int]] = [[] for _ in nodes]
    requires = list(spec["requires"])

    def add_node(value, parent_ids):
        # As in torch, a result is recorded (has parents) only if an input requires grad.
        recorded = any(requires[p] for p in parent_ids)
        nodes.append(value)
        parents.append(parent_ids if recorded else [])
        requires.append(recorded)
        return len(nodes) - 1

    index = list(range(len(nodes)))  # spec position -> node index
    for kind, first, second, c in spec["ops"]:
        a = index[first]
        if kind in BINARY:
            b = index[second]
            index.append(add_node(ops.apply(kind, nodes[a], nodes[b]), [a, b]))
        elif kind == "scale":
            k = add_node(ops.const(c), [])
            index.append(add_node(ops.apply(kind, nodes[a], nodes[k]), [a, k]))
        else:
            index.append(add_node(ops.apply(kind, nodes[a]), [a]))
    root = None
    for r in spec["roots"]:
        s = add_node(ops.apply("sum", nodes[index[r]]), [index[r]])
        root = s if root is None else add_node(ops.apply("add", nodes[root], nodes[s]), [root, s])
    return nodes, parents, root


def _engine_ops(namespace) -> _Ops:
    tensor = student(namespace, "Tensor")
    return _Ops(lambda data, requires: tensor(np.array(data), requires_grad=requires),
                lambda c: tensor(c))


def _torch_ops() -> _Ops:
    return _Ops(lambda data, requires: torch_float64(data, requires), lambda c: torch_float64(c))


def reference_toposort(root):
    """Parents before children, each node once, without recursion."""
    order, seen, stack = [], {id(root)}, [(root, iter(root.parents))]
    while stack:
        node, pending = stack[-1]
        for parent in pending:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, iter(parent.parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _reachable(parents: list[list[int]], root: int) -> set[int]:
    seen, todo = {root}, [root]
    while todo:
        for p in parents[todo.pop()]:
            if p not in seen:
                seen.add(p)
                todo.append(p)
    return seen


# toposort_order ------------------------------------------------------------------------------

def _toposort_harness(namespace, seed):
    rng = np.random.default_rng(seed)
    results = []
    for _ in range(GRAPHS):
        spec = _graph_spec(rng)

        def case(spec=spec):
            nodes, _, root = _build(spec, _engine_ops(namespace))
            order = student(namespace, "toposort")(nodes[root])
            ids = {id(node): i for i, node in enumerate(nodes)}
            return [ids.get(id(node), -1) for node in order]

        results.append(guarded(case))
    return results


def _check_order(label: str, order, parents, root) -> str | None:
    if is_error(order):
        return f"{label}: {describe_error(order)}."
    if -1 in order:
        return f"{label}: the list holds something that is not a node of the graph."
    if len(set(order)) != len(order):
        return f"{label}: a node appears more than once. Hint: keep a set of visited nodes."
    want = _reachable(parents, root)
    if set(order) != want:
        missing = len(want - set(order))
        return (f"{label}: {missing} of the {len(want)} nodes reachable from the root are missing."
                " Hint: follow .parents all the way down, including leaves and constants.")
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for p in parents[node]:
            if position[p] > position[node]:
                hint = ""
                if all(position[q] > position[n] for n in order for q in parents[n]):
                    hint = " Hint: this is the reverse order; parents must come first."
                return (f"{label}: node {node} comes before its parent {p} (positions"
                        f" {position[node]} and {position[p]}).{hint}"
                        " Append a node only after all of its parents (post-order).")
    return None


def _toposort_judge(data, seed):
    rng = np.random.default_rng(seed)
    failures = []
    for i, order in enumerate(results_for(data, GRAPHS)):
        spec = _graph_spec(rng)
        _, parents, root = _build(spec, _NUMPY)
        failures.append(_check_order(f"graph {i + 1}", order, parents, root))
    return verdict(2, failures, "toposort: parents before children, each node once")


# toposort_deep -------------------------------------------------------------------------------

def _neg_chain(namespace, length):
    tensor = student(namespace, "Tensor")
    x = tensor(np.array(1.0), requires_grad=True)
    nodes = [x]
    for _ in range(length):
        nodes.append(-nodes[-1])
    return nodes


def _deep_length(seed: int) -> int:
    """A chain length near DEEP drawn from the seed, so an order recorded on one seed fits no other."""
    return DEEP + int(np.random.default_rng(seed).integers(0, 1000))


def _toposort_deep_harness(namespace, seed):
    def case():
        nodes = _neg_chain(namespace, _deep_length(seed))
        order = student(namespace, "toposort")(nodes[-1])
        ids = {id(node): i for i, node in enumerate(nodes)}
        return np.array([ids.get(id(node), -1) for node in order], dtype=np.int64)

    return guarded(case)


def _toposort_deep_judge(data, seed):
    if is_error(data):
        text = f"a chain of {DEEP} nodes: {describe_error(data)}."
        if "Recursion" in data["error"]:
            text += " Hint: recursion stops near 1000 levels; walk the graph with your own stack."
        return verdict(1, [text], "")
    expected = np.arange(_deep_length(seed) + 1)
    return verdict(1, [compare(f"order on a chain of {len(expected) - 1} nodes", expected, data)],
                   "toposort of a 100,000-node chain")


# backward: values, accumulation, non-leaf grads ---------------------------------------------

def _graded_backward(namespace):
    return student(namespace, "backward")


def _values_harness(namespace, seed):
    rng = np.random.default_rng(seed)
    results = []
    for _ in range(GRAPHS):
        spec = _graph_spec(rng)

        def case(spec=spec):
            nodes, _, root = _build(spec, _engine_ops(namespace))
            with substituted(namespace, "toposort", reference_toposort):
                _graded_backward(namespace)(nodes[root])
            return [grad_of(nodes[i]) for i in range(len(spec["data"]))]

        results.append(guarded(case))
    return results


def _torch_reference(spec):
    nodes, _, root = _build(spec, _torch_ops())
    nodes[root].backward()
    return [torch_grad(nodes[i]) for i in range(len(spec["data"]))]


def _values_judge(data, seed):
    rng = np.random.default_rng(seed)
    failures = []
    for i, got in enumerate(results_for(data, GRAPHS)):
        expected = _torch_reference(_graph_spec(rng))
        if is_error(got):
            failures.append(f"graph {i + 1}: {describe_error(got)}.")
            continue
        for j, (e, g) in enumerate(zip(expected, got, strict=True)):
            failures.append(compare(f"graph {i + 1}, leaf {j} .grad", e, g))
    return verdict(3, failures, "backward: leaf gradients equal torch.autograd's")


def _accumulate_harness(namespace, seed):
    rng = np.random.default_rng(seed)
    data = rng.normal(size=4)

    def case():
        tensor = student(namespace, "Tensor")
        x = tensor(data.copy(), requires_grad=True)
        with substituted(namespace, "toposort", reference_toposort):
            _graded_backward(namespace)(x.exp().sum())
            first = grad_of(x)
            _graded_backward(namespace)((x.tanh() * 3.0).sum())
        return {"first": first, "second": grad_of(x)}

    return guarded(case)


def _accumulate_judge(data, seed):
    rng = np.random.default_rng(seed)
    x = torch_float64(rng.normal(size=4), True)
    x.exp().sum().backward()
    first = torch_grad(x)
    (x.tanh() * 3.0).sum().backward()
    if is_error(data):
        return verdict(1, [describe_error(data)], "")
    failures = [compare("x.grad after one backward", first, data["first"]),
                compare("x.grad after a second backward (must be the sum of both)", torch_grad(x),
                        data["second"])]
    if failures[0] is None and failures[1] and data["second"] is not None and not is_error(
            data["second"]):
        if np.allclose(data["second"], torch_grad(x) - first):
            failures[1] += " Hint: the second call overwrote .grad; torch adds into it."
    return verdict(1, failures, "gradients accumulate across backward calls")


def _nonleaf_harness(namespace, seed):
    rng = np.random.default_rng(seed)
    spec = _graph_spec(rng)

    def case():
        nodes, parents, root = _build(spec, _engine_ops(namespace))
        with substituted(namespace, "toposort", reference_toposort):
            _graded_backward(namespace)(nodes[root])
        return ["None" if n.grad is None else "array" for n in nodes]

    return guarded(case)


def _nonleaf_judge(data, seed):
    import warnings

    rng = np.random.default_rng(seed)
    spec = _graph_spec(rng)
    nodes, parents, root = _build(spec, _torch_ops())
    nodes[root].backward()
    if is_error(data):
        return verdict(1, [describe_error(data)], "")
    failures = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns when .grad of a non-leaf is read
        for i, (node, got) in enumerate(zip(nodes, data, strict=True)):
            want = "None" if node.grad is None else "array"
            if want != got:
                kind = ("a non-leaf" if parents[i] else
                        "a leaf that requires grad" if node.requires_grad else
                        "a leaf that does not require grad")
                hint = (" Store gradients only on leaves that require grad; pass the others on"
                        " to the parents." if want == "None" else "")
                failures.append(f"node {i} ({kind}): .grad is {got}, torch leaves it {want}.{hint}")
    return verdict(1, failures, "non-leaf tensors and constants keep .grad None")


# backward: implicit gradient -----------------------------------------------------------------

def _implicit_harness(namespace, seed):
    rng = np.random.default_rng(seed)
    vector, single, g = rng.normal(size=3), rng.normal(size=(1, 1)), rng.normal(size=3)
    out = {}

    def tensor(*args, **kwargs):
        return student(namespace, "Tensor")(*args, **kwargs)

    def non_scalar():
        x = tensor(vector.copy(), requires_grad=True)
        try:
            _graded_backward(namespace)(x * 2.0)
        except Exception as exc:  # noqa: BLE001 - which exception is what we grade
            return {"raised": type(exc).__name__, "message": str(exc), "grad": grad_of(x)}
        return {"raised": None, "message": "", "grad": grad_of(x)}

    def one_element():
        x = tensor(single.copy(), requires_grad=True)
        _graded_backward(namespace)(x.exp())
        return grad_of(x)

    def explicit():
        x = tensor(vector.copy(), requires_grad=True)
        _graded_backward(namespace)(x.tanh(), g.copy())
        return grad_of(x)

    with substituted(namespace, "toposort", reference_toposort):
        out["non_scalar"] = guarded(non_scalar)
        out["one_element"] = guarded(one_element)
        out["explicit"] = guarded(explicit)
    return out


def _implicit_judge(data, seed):
    rng = np.random.default_rng(seed)
    vector, single, g = rng.normal(size=3), rng.normal(size=(1, 1)), rng.normal(size=3)
    message = ""
    try:
        (torch_float64(vector, True) * 2.0).backward()
    except RuntimeError as exc:
        message = str(exc)
    x = torch_float64(single, True)
    x.exp().backward()
    one = torch_grad(x)
    x = torch_float64(vector, True)
    x.tanh().backward(torch_float64(g))
    failures = []
    got = data["non_scalar"]
    if is_error(got):
        failures.append(f"backward of a 3-element output without gradient: {describe_error(got)}.")
    elif got["raised"] != "RuntimeError":
        failures.append(
            "backward of a 3-element output without gradient must raise RuntimeError"
            f" ({message!r}); yours " + (f"raised {got['raised']}." if got["raised"] else
                                         "returned normally.")
            + " Hint: the implicit gradient (ones) exists only for single-element outputs.")
    else:  # torch raises before touching any gradient
        failures.append(compare("x.grad after that RuntimeError", None, got["grad"]))
    failures.append(compare("backward of a (1, 1) output without gradient: x.grad", one,
                            data["one_element"]))
    failures.append(compare("backward(y, gradient) of a 3-element y: x.grad", torch_grad(x),
                            data["explicit"]))
    return verdict(2, failures, "implicit gradient only for single-element outputs")


# backward_deep -------------------------------------------------------------------------------

def _deep_harness(namespace, seed):
    def case():
        tensor = student(namespace, "Tensor")
        x = tensor(np.array(_deep_start(seed)), requires_grad=True)
        y = x
        for _ in range(DEEP):
            y = y ** (1.0 + 1.0 / DEEP)
        with substituted(namespace, "toposort", reference_toposort):
            _graded_backward(namespace)(y)
        return grad_of(x)

    return guarded(case)


def _deep_start(seed: int) -> float:
    """Where the deep chain starts, drawn from the seed: the gradient differs from seed to seed."""
    return float(np.random.default_rng(seed).uniform(0.3, 0.9))


@functools.lru_cache(maxsize=4)
def _deep_reference(length, start):
    x = torch_float64(start, True)
    y = x
    for _ in range(length):
        y = y ** (1.0 + 1.0 / length)
    y.backward()
    return torch_grad(x)


def _deep_judge(data, seed):
    if is_error(data):
        text = f"backward through a chain of {DEEP} nodes: {describe_error(data)}."
        if "Recursion" in data["error"]:
            text += " Hint: recursion stops near 1000 levels; loop over the topological order."
        return verdict(1, [text], "")
    expected = _deep_reference(DEEP, _deep_start(seed))
    return verdict(1, [compare(f"x.grad through a chain of {DEEP} nodes", expected, data, rtol=1e-9)],
                   "backward through a 100,000-node chain")


CHECKS = [
    Check(ASSIGNMENT, "toposort_order", 2, "toposort lists every node once, parents first",
          _toposort_harness, _toposort_judge),
    Check(ASSIGNMENT, "toposort_deep", 1, "toposort of a 100,000-node chain (no recursion)",
          _toposort_deep_harness, _toposort_deep_judge),
    Check(ASSIGNMENT, "backward_values", 3, "leaf gradients equal torch.autograd's",
          _values_harness, _values_judge),
    Check(ASSIGNMENT, "backward_accumulate", 1, "a second backward adds into .grad",
          _accumulate_harness, _accumulate_judge),
    Check(ASSIGNMENT, "backward_nonleaf", 1, "non-leaf and constant tensors keep .grad None",
          _nonleaf_harness, _nonleaf_judge),
    Check(ASSIGNMENT, "backward_implicit", 2, "implicit gradient only for single-element outputs",
          _implicit_harness, _implicit_judge),
    Check(ASSIGNMENT, "backward_deep", 1, "backward through a 100,000-node chain",
          _deep_harness, _deep_judge),
]
