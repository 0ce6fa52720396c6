"""Draw the computation graph behind a tensor (matplotlib only, no Graphviz needed).

    z = x * y
    loss = z.sum()
    draw(loss, {"x": x, "y": y, "z": z})     # shows inline in Jupyter

The graph is the one ``backward()`` walks: start at ``loss.grad_fn`` and follow
``next_functions``; leaves that require grad appear as ``AccumulateGrad`` nodes. Only that
public API is used, so the same call draws a torch tensor's graph too.

The picture is the same on every run: the root sits at the bottom, every node one layer above
the node furthest from the root that uses it, and nodes within a layer keep the order in which
``next_functions`` lists them. Data flows upwards-to-downwards, from the leaves to the loss.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import warnings
from collections import deque
from typing import Any

import numpy as np

__all__ = ["Graph", "draw"]

_FONT_SIZE = 9.0  # points
_CHAR_W = 0.6 * _FONT_SIZE / 72  # width of one monospace character, in inches
_LINE_H = 1.35 * _FONT_SIZE / 72
_PAD = 0.08  # inside a box, inches
_H_GAP = 0.3  # between boxes of one layer
_V_GAP = 0.45  # between layers
_MARGIN = 0.2
_MAX_PIXELS = 8000  # longest side of the PNG; huge graphs are drawn at a lower dpi instead

_COLOURS = {"root": "#f6c89f", "leaf": "#bfdcf5", "named": "#c8e6c0", "op": "#e8e8e8"}


def draw(root: Any, named: dict[str, Any] | None = None, *, show_data: bool = True,
         show_grad: bool = True) -> "Graph":
    """Return a Graph of everything ``root.backward()`` would visit.

    ``named`` maps names to tensors of the graph (leaves or intermediates); their boxes get the
    name and show the tensor's data, which a bare ``grad_fn`` node cannot know.
    """
    known = _Known(named or {})
    root_node = getattr(root, "grad_fn", root)
    if root_node is None:  # a leaf (or a constant) on its own
        root_node = _LoneTensor(root)
    if _is_tensor(root) and known.find(root_node) is None:
        known.add_root(root_node, root)

    nodes, edge_counts = _walk(root_node)
    depth = _longest_distance(len(nodes), edge_counts)
    order = sorted(range(len(nodes)), key=lambda i: (depth[i], i))
    rank = {old: new for new, old in enumerate(order)}

    infos = [_describe(nodes[i], known, show_data, show_grad) for i in order]
    labels = _unique([info["label"] for info in infos])
    for info, label in zip(infos, labels):
        info["label"] = label
    edges = [(rank[c], rank[p], k) for (c, p), k in edge_counts.items()]
    infos[0]["kind"] = "root"
    return Graph(infos, [depth[i] for i in order], edges)


class Graph:
    """A drawn computation graph: plain data (``nodes``, ``edges``) plus a matplotlib figure.

    ``nodes`` lists node labels (root first, then layer by layer); ``edges`` lists
    ``(child, parent)`` label pairs: the child's result feeds the parent, once per pair.
    """

    def __init__(self, infos: list[dict], depths: list[int], edges: list[tuple[int, int, int]]):
        self.info = infos
        self.nodes = [info["label"] for info in infos]
        self.edges = [(self.nodes[c], self.nodes[p]) for c, p, _ in edges]
        self._edges = edges
        self._depths = depths
        self.positions, self.size = _layout(infos, depths)
        self._figure = None

    def __repr__(self) -> str:
        return f"Graph(nodes={self.nodes!r}, edges={self.edges!r})"

    @property
    def figure(self):
        """A ``matplotlib.figure.Figure``; built once, without touching pyplot or the backend."""
        if self._figure is None:
            self._figure = _render(self)
        return self._figure

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self._save_matplotlib(buffer, "png")
        return buffer.getvalue()

    def save(self, path: str, *, engine: str = "matplotlib") -> None:
        """Write the picture to ``path`` (.png, .svg or .pdf).

        ``engine="dot"`` lays it out with Graphviz instead; that needs ``dot`` on PATH.
        """
        fmt = str(path).rsplit(".", 1)[-1].lower()
        if engine == "dot":
            self._save_dot(path, fmt)
        elif engine == "matplotlib":
            with open(path, "wb") as f:
                self._save_matplotlib(f, fmt)
        else:
            raise ValueError(f"engine must be 'matplotlib' or 'dot', got {engine!r}")

    def to_dot(self) -> str:
        """The graph in Graphviz's DOT language (plain text; no Graphviz needed to produce it)."""
        lines = ["digraph {", '  node [shape=box, style="rounded,filled", fontname=monospace];']
        for i, info in enumerate(self.info):
            text = "\\l".join(_escape(line) for line in info["lines"]) + "\\l"
            lines.append(f'  n{i} [label="{text}", fillcolor="{_COLOURS[info["kind"]]}"];')
        for c, p, k in self._edges:
            extra = f' [label="x{k}"]' if k > 1 else ""
            lines.append(f"  n{c} -> n{p}{extra};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def _save_matplotlib(self, target: Any, fmt: str) -> None:
        import matplotlib

        # Strip what changes between runs (version, date, svg ids) so files compare equal.
        metadata = {"png": {"Software": None}, "svg": {"Date": None},
                    "pdf": {"CreationDate": None, "ModDate": None}}.get(fmt)
        with matplotlib.rc_context({"svg.hashsalt": "minigrad"}):
            self.figure.savefig(target, format=fmt, metadata=metadata)

    def _save_dot(self, path: str, fmt: str) -> None:
        dot = shutil.which("dot")
        if dot is None:
            raise RuntimeError(
                "Graphviz's `dot` program was not found on PATH. "
                "Use save(path) without engine='dot' to draw with matplotlib instead."
            )
        subprocess.run([dot, f"-T{fmt}", "-o", str(path)], input=self.to_dot().encode(),
                       check=True)


# ----------------------------------------------------------------------------------------------
# Walking the graph
# ----------------------------------------------------------------------------------------------

class _LoneTensor:
    """Stands in for the missing grad_fn when draw() is given a leaf."""

    next_functions: tuple = ()

    def __init__(self, tensor: Any):
        self.variable = tensor

    def name(self) -> str:
        return "AccumulateGrad" if getattr(self.variable, "requires_grad", False) else "Tensor"


def _identity(node: Any) -> tuple:
    # One box per leaf even if an engine makes a fresh AccumulateGrad for every use of it.
    variable = getattr(node, "variable", None)
    return ("leaf", id(variable)) if variable is not None else ("op", id(node))


def _walk(root: Any) -> tuple[list, dict]:
    """Breadth-first from the root: nodes in discovery order, (child, parent) -> multiplicity.

    Iterative, so a chain thousands of nodes long is fine. Ids are used only to recognise a node
    met before (every node stays referenced in ``nodes``), never to order anything.
    """
    nodes = [root]
    index = {_identity(root): 0}
    edge_counts: dict[tuple[int, int], int] = {}
    queue = deque([0])
    while queue:
        parent = queue.popleft()
        for child, _ in getattr(nodes[parent], "next_functions", ()) or ():
            if child is None:  # an input that does not require grad
                continue
            key = _identity(child)
            if key not in index:
                index[key] = len(nodes)
                nodes.append(child)
                queue.append(index[key])
            pair = (index[key], parent)
            edge_counts[pair] = edge_counts.get(pair, 0) + 1
    return nodes, edge_counts


def _longest_distance(n: int, edge_counts: dict) -> list[int]:
    """Layer of each node: the longest path from the root (node 0) down to it."""
    children: list[list[int]] = [[] for _ in range(n)]
    waiting = [0] * n  # parents not yet placed
    for child, parent in edge_counts:
        children[parent].append(child)
        waiting[child] += 1
    depth = [0] * n
    ready = deque([0])
    while ready:  # Kahn's topological order: a node is placed after all its parents
        node = ready.popleft()
        for child in children[node]:
            depth[child] = max(depth[child], depth[node] + 1)
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    return depth


class _Known:
    """Names and tensors the caller told us about, looked up by node."""

    def __init__(self, named: dict[str, Any]):
        self._by_node: dict[tuple, tuple[Any, str | None, Any]] = {}
        for name, tensor in named.items():
            grad_fn = getattr(tensor, "grad_fn", None)
            key = ("op", id(grad_fn)) if grad_fn is not None else ("leaf", id(tensor))
            self._by_node[key] = (grad_fn if grad_fn is not None else tensor, name, tensor)

    def add_root(self, node: Any, tensor: Any) -> None:
        self._by_node[_identity(node)] = (node, None, tensor)

    def find(self, node: Any) -> tuple[str | None, Any] | None:
        hit = self._by_node.get(_identity(node))
        return None if hit is None else hit[1:]


def _describe(node: Any, known: _Known, show_data: bool, show_grad: bool) -> dict:
    op = node.name().rsplit("::", 1)[-1]  # torch says "torch::autograd::AccumulateGrad"
    hit = known.find(node)
    name, tensor = hit if hit is not None else (None, getattr(node, "variable", None))
    is_leaf = getattr(node, "variable", None) is not None
    label = f"{op}({name})" if name else op
    lines = [label]
    if tensor is not None:
        lines.append(f"shape {tuple(tensor.shape)}")
        if show_data:
            lines += _format("data ", tensor)
        grad = _known_grad(tensor) if show_grad else None
        if grad is not None:
            lines += _format("grad ", grad)
    kind = "leaf" if is_leaf else ("named" if name else "op")
    return {"label": label, "op": op, "name": name, "kind": kind, "lines": lines}


def _known_grad(tensor: Any) -> Any:
    # Reading .grad of a non-leaf that does not retain it only produces a warning.
    if getattr(tensor, "is_leaf", False) or getattr(tensor, "retains_grad", False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return tensor.grad
    return None


def _format(prefix: str, tensor: Any, max_lines: int = 6) -> list[str]:
    values = np.asarray(tensor.detach().numpy())
    text = np.array2string(values, precision=4, threshold=8, edgeitems=2, max_line_width=44,
                           suppress_small=True)
    rows = text.split("\n")
    if len(rows) > max_lines:  # numpy already elides the middle; this caps high dimensions
        rows = rows[: max_lines - 1] + [" ..."]
    indent = " " * len(prefix)
    return [(prefix if i == 0 else indent) + row for i, row in enumerate(rows)]


def _unique(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label}#{seen[label]}")
    return out


def _is_tensor(x: Any) -> bool:
    return hasattr(x, "grad_fn") and hasattr(x, "requires_grad")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


# ----------------------------------------------------------------------------------------------
# Layout and drawing (all lengths in inches)
# ----------------------------------------------------------------------------------------------

def _layout(infos: list[dict], depths: list[int]):
    """(x, y, width, height) of every box, bottom-left corner; and the figure size."""
    sizes = [(max(len(s) for s in info["lines"]) * _CHAR_W + 2 * _PAD,
              len(info["lines"]) * _LINE_H + 2 * _PAD) for info in infos]
    n_layers = max(depths) + 1
    layers: list[list[int]] = [[] for _ in range(n_layers)]
    for i, d in enumerate(depths):
        layers[d].append(i)
    widths = [sum(sizes[i][0] for i in layer) + _H_GAP * (len(layer) - 1) for layer in layers]
    heights = [max(sizes[i][1] for i in layer) for layer in layers]
    fig_w = max(widths) + 2 * _MARGIN
    fig_h = sum(heights) + _V_GAP * (n_layers - 1) + 2 * _MARGIN

    positions: list = [None] * len(infos)
    band_bottom = _MARGIN  # the root's layer is at the bottom
    for layer, width, height in zip(layers, widths, heights):
        x = (fig_w - width) / 2
        for i in layer:
            w, h = sizes[i]
            positions[i] = (x, band_bottom + (height - h) / 2, w, h)
            x += w + _H_GAP
        band_bottom += height + _V_GAP
    return positions, (fig_w, fig_h)


def _render(graph: Graph):
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    width, height = graph.size
    dpi = min(100.0, _MAX_PIXELS / max(width, height))
    fig = Figure(figsize=(width, height), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    for info, (x, y, w, h) in zip(graph.info, graph.positions):
        ax.add_artist(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.05",
                                    facecolor=_COLOURS[info["kind"]], edgecolor="#555555"))
        ax.text(x + _PAD, y + h - _PAD, "\n".join(info["lines"]), ha="left", va="top",
                family="monospace", fontsize=_FONT_SIZE, linespacing=1.2)
    for child, parent, count in graph._edges:
        cx, cy, cw, _ = graph.positions[child]
        px, py, pw, ph = graph.positions[parent]
        # An edge that jumps over layers bends, so it does not run straight through a box;
        # an input used k times (x * x) gets k arrows, fanned out.
        bend = 0.25 if graph._depths[child] - graph._depths[parent] > 1 else 0.0
        for j in range(count):
            rad = bend + 0.2 * (j - (count - 1) / 2)
            ax.add_artist(FancyArrowPatch((cx + cw / 2, cy), (px + pw / 2, py + ph),
                                         arrowstyle="-|>", mutation_scale=10, color="#333333",
                                         connectionstyle=f"arc3,rad={rad}", shrinkA=0, shrinkB=1))
    return fig
