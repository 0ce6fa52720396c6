"""Build the sample submissions: the student release of each assignment, filled in as students would.

    python course/samples/make_samples.py      # needs nbgrader (the `dev` or `grader` extra)

For each assignment, `alice` hands in a correct solution, `bob` a partly correct one and `carol` a
wrong one. The release is made by `nbgrader generate_assignment` in a temporary copy of the course,
so nothing generated is left in `course/`. Scores expected for each sample: expected_scores.json.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

COURSE = Path(__file__).resolve().parents[1]
SAMPLES = COURSE / "samples"
ASSIGNMENTS = ("backprop", "vjp_rules", "grad_mode", "descent")


def generate_release(assignment: str, workdir: Path) -> Path:
    """Run `nbgrader generate_assignment` in a scratch course under `workdir`; the release notebook."""
    course = workdir / "course"
    if not course.exists():
        course.mkdir(parents=True)
        shutil.copy(COURSE / "nbgrader_config.py", course)
        shutil.copytree(COURSE / "source", course / "source")
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from the same environment
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
                   cwd=course, env=env, check=True, capture_output=True, text=True)
    return course / "release" / assignment / f"{assignment}.ipynb"


def reference_cells(assignment: str) -> dict[str, str]:
    """The source notebook's solution cells without nbgrader's markers: what a correct student writes."""
    nb = nbformat.read(COURSE / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    cells = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cells[meta["grade_id"]] = re.sub(r"^ *### (BEGIN|END) SOLUTION\n", "", cell.source + "\n",
                                             flags=re.M).rstrip("\n")
    return cells


def edited(text: str, *replacements: tuple[str, str]) -> str:
    """The reference text with a student's mistakes put in (each `old` must occur)."""
    for old, new in replacements:
        if old not in text:
            raise ValueError(f"sample edit does not apply: {old!r}")
        text = text.replace(old, new)
    return text


def student_cells(assignment: str, student: str) -> dict[str, str]:
    ref = reference_cells(assignment)
    if student == "alice":
        return ref
    return MISTAKES[assignment][student](ref)


def _backprop_bob(ref):
    # A recursive toposort (fails on deep graphs) and no check for the implicit gradient.
    toposort = '''def toposort(root):
    """Every node reachable from root through .parents, once each, parents before children."""
    order, seen = [], set()

    def visit(node):
        if id(node) in seen:
            return
        seen.add(id(node))
        for parent in node.parents:
            visit(parent)
        order.append(node)

    visit(root)
    return order'''
    backward = edited(ref["backward"], (
        '''    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        gradient = np.ones_like(root.data)''',
        '''    if gradient is None:
        gradient = np.ones_like(root.data)'''))
    return {"toposort": toposort, "backward": backward}


def _backprop_carol(ref):
    # Children before parents, and a recursive backward that visits shared nodes once per path,
    # overwrites .grad instead of adding, and stores gradients on every node.
    toposort = '''def toposort(root):
    """Every node reachable from root through .parents, once each, parents before children."""
    order, todo = [], [root]
    while todo:
        node = todo.pop(0)
        if all(node is not seen for seen in order):
            order.append(node)
        todo.extend(node.parents)
    return order'''
    backward = '''def backward(root, gradient=None):
    """Accumulate d(root)/d(leaf), weighted by `gradient`, into .grad of every leaf that requires grad."""
    if gradient is None:
        gradient = np.ones_like(root.data)
    root.grad = gradient
    if root.parents:
        for parent, g in zip(root.parents, root.vjp(gradient)):
            backward(parent, g)'''
    return {"toposort": toposort, "backward": backward}


def _vjp_bob(ref):
    # Forgets to unbroadcast in mul and div; matmul only for 2-d operands.
    binary = edited(ref["binary"],
                    ("return unbroadcast(g * b, np.shape(a)), unbroadcast(g * a, np.shape(b))",
                     "return g * b, g * a"),
                    ("return unbroadcast(g / b, np.shape(a)), unbroadcast(-g * a / b**2, np.shape(b))",
                     "return g / b, -g * a / b**2"))
    matmul = '''def matmul_vjp(g, a, b):
    """out = a @ b (as np.matmul): d/da = g @ b^T, d/db = a^T @ g, with 1-d operands promoted."""
    return g @ b.T, a.T @ g'''
    return {**ref, "binary": binary, "matmul": matmul}


def _vjp_carol(ref):
    # Broadcasting ignored everywhere, sign slips, derivatives of the wrong function, relu at 0,
    # sums that keep g, and matmul's transposes on the wrong side.
    unbroadcast = '''def unbroadcast(grad, shape):
    """Sum `grad` back to `shape`: over the dimensions broadcasting added or stretched."""
    return grad'''
    binary = '''def add_vjp(g, a, b):
    return g, g


def sub_vjp(g, a, b):
    return g, g


def mul_vjp(g, a, b):
    return g * b, g * a


def div_vjp(g, a, b):
    return g / b, g * a / b**2


def pow_vjp(g, a, b):
    return g * b * a ** (b - 1), g * np.log(a)'''
    unary = edited(ref["unary"], ("return g * (a > 0)", "return g * (a >= 0)"),
                   ("return g / a", "return g * np.log(a)"),
                   ("return g * np.exp(a)", "return g * a"),
                   ("return g * (1 - np.tanh(a) ** 2)", "return g * (1 - a**2)"),
                   ("return g * s * (1 - s)", "return g * s"))
    reductions = '''def sum_vjp(g, a, axis=None, keepdims=False):
    """out = a.sum(axis, keepdims): every element of a gets the gradient of its sum."""
    return g * np.ones_like(a)


def mean_vjp(g, a, axis=None, keepdims=False):
    """out = a.mean(axis, keepdims): like sum, divided by the number of elements averaged."""
    return g * np.ones_like(a)'''
    matmul = '''def matmul_vjp(g, a, b):
    """out = a @ b (as np.matmul): d/da = g @ b^T, d/db = a^T @ g, with 1-d operands promoted."""
    return g @ b, a @ g'''
    return {"unbroadcast": unbroadcast, "binary": binary, "unary": unary,
            "reductions": reductions, "matmul": matmul}


def _grad_mode_bob(ref):
    # no_grad switches grad mode back on when it ends (nesting breaks), the decorator loses the name.
    no_grad = edited(ref["no_grad"], (
        '''    def __exit__(self, exc_type, exc_value, traceback):
        _grad_mode.enabled = self.previous
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper''',
        '''    def __exit__(self, exc_type, exc_value, traceback):
        _grad_mode.enabled = True
        return False

    def __call__(self, function):
        def wrapper'''))
    return {**ref, "no_grad": no_grad}


def _grad_mode_carol(ref):
    # is_grad_enabled returns an int, set_grad_enabled acts only inside `with` and flips on exit,
    # the context managers swallow exceptions, the decorator reuses one context, detach copies.
    switches = '''def is_grad_enabled():
    """True if operations are being recorded."""
    return int(_grad_mode.enabled)


class set_grad_enabled:
    """Switch grad mode on or off now; used with `with`, switch back on exit."""

    def __init__(self, mode):
        self.mode = mode

    def __enter__(self):
        _grad_mode.enabled = self.mode

    def __exit__(self, exc_type, exc_value, traceback):
        _grad_mode.enabled = not self.mode
        return True'''
    no_grad = edited(ref["no_grad"], (
        '''            with type(self)():  # a fresh context per call, so recursion restores correctly
                return function(*args, **kwargs)''',
        '''            with self:
                return function(*args, **kwargs)'''), ("return False", "return True"))
    detach = '''def detach(t):
    """A new tensor sharing t's data, outside the graph."""
    return Tensor(t.data.copy())'''
    return {**ref, "switches": switches, "no_grad": no_grad, "detach": detach}


def _descent_bob(ref):
    # Adam without bias correction; Nesterov momentum applied as plain momentum.
    sgd = edited(ref["sgd"], ("d = d + self.momentum * buf if self.nesterov else buf", "d = buf"))
    adam = edited(ref["adam"], (
        '''            denom = np.sqrt(v) / np.sqrt(1 - beta2**t) + self.eps
            p.data -= self.lr / (1 - beta1**t) * m / denom''',
        '''            p.data -= self.lr * m / (np.sqrt(v) + self.eps)'''))
    return {**ref, "sgd": sgd, "adam": adam}


def _descent_carol(ref):
    # Steps uphill, weight decay with the wrong sign, Adam's second moment of g instead of g*g,
    # zero_grad to zeros, minimize returns only the end point, fit the highest power first.
    zeros = ('''        for p in self.params:
            p.grad = None''', '''        for p in self.params:
            p.grad = np.zeros_like(p.data)''')
    sgd = edited(ref["sgd"], ("p.data -= self.lr * d", "p.data += self.lr * d"),
                 ("d = p.grad + self.weight_decay * p.data", "d = p.grad - self.weight_decay * p.data"),
                 zeros)
    adam = edited(ref["adam"], ("v += (1 - beta2) * g * g", "v += (1 - beta2) * g"), zeros)
    minimize = edited(ref["minimize"], ("return np.array(trajectory)", "return x.data.copy()"))
    fit = edited(ref["fit"], ("return w.data.copy()", "return w.data[::-1].copy()"))
    return {**ref, "sgd": sgd, "adam": adam, "minimize": minimize, "fit": fit}


MISTAKES = {
    "backprop": {"bob": _backprop_bob, "carol": _backprop_carol},
    "vjp_rules": {"bob": _vjp_bob, "carol": _vjp_carol},
    "grad_mode": {"bob": _grad_mode_bob, "carol": _grad_mode_carol},
    "descent": {"bob": _descent_bob, "carol": _descent_carol},
}
STUDENTS = ("alice", "bob", "carol")


def fill(release: Path, cells: dict[str, str]) -> nbformat.NotebookNode:
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and grade_id in cells:
            cell.source = cells[grade_id]
    return nb


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for assignment in ASSIGNMENTS:
            release = generate_release(assignment, Path(tmp))
            for student in STUDENTS:
                out = SAMPLES / assignment / student / f"{assignment}.ipynb"
                out.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(fill(release, student_cells(assignment, student)), out)
                print("wrote", out.relative_to(COURSE.parent))


if __name__ == "__main__":
    main()
