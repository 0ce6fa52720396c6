"""minigrad.viz.draw: the graph's structure as plain data, and a picture that never changes."""
import subprocess
import sys

import numpy as np
import pytest

import minigrad
from minigrad.viz import Graph, draw

PNG_HEADER = b"\x89PNG\r\n\x1a\n"

ENGINES = ["minigrad", pytest.param("torch", marks=pytest.mark.torch)]


def engine(name):
    return minigrad if name == "minigrad" else pytest.importorskip("torch")


def leaf(e, values):
    return e.tensor(values, requires_grad=True)


def tutorial_graph(e):
    """Section 1.2 of the tutorial: z = x * y; loss = z.sum()."""
    x = leaf(e, [1.0, 2.0, 3.0])
    y = leaf(e, [4.0, 5.0, 6.0])
    z = x * y
    loss = z.sum()
    return x, y, z, loss


@pytest.mark.parametrize("name", ENGINES)
def test_tutorial_graph_nodes_and_edges(name):
    x, y, z, loss = tutorial_graph(engine(name))
    g = draw(loss, {"x": x, "y": y})
    assert isinstance(g, Graph)
    assert g.nodes == ["SumBackward0", "MulBackward0", "AccumulateGrad(x)", "AccumulateGrad(y)"]
    assert g.edges == [
        ("MulBackward0", "SumBackward0"),
        ("AccumulateGrad(x)", "MulBackward0"),
        ("AccumulateGrad(y)", "MulBackward0"),
    ]
    # root at the bottom, leaves on top, x left of y (the order of next_functions)
    (sx, sy, *_), (mx, my, *_), (xx, xy, *_), (yx, yy, *_) = g.positions
    assert sy < my < xy == yy and xx < yx


@pytest.mark.parametrize("name", ENGINES)
def test_unnamed_leaves_get_distinct_labels(name):
    *_, loss = tutorial_graph(engine(name))
    g = draw(loss)
    assert g.nodes == ["SumBackward0", "MulBackward0", "AccumulateGrad", "AccumulateGrad#2"]


@pytest.mark.torch
def test_same_graph_as_torch_for_a_bigger_expression():
    torch = pytest.importorskip("torch")

    def build(e):
        x = leaf(e, [0.5, -1.0])
        w = leaf(e, [[1.0, 2.0], [3.0, 4.0]])
        h = (w @ x).tanh()
        loss = (h * x + x.exp()).sum()
        return draw(loss, {"x": x, "w": w, "h": h})

    ours, theirs = build(minigrad), build(torch)
    assert ours.nodes == theirs.nodes
    assert ours.edges == theirs.edges
    assert ours.positions == theirs.positions


@pytest.mark.parametrize("name", ENGINES)
def test_shared_subexpression_drawn_once(name):
    e = engine(name)
    x = leaf(e, [1.0, 2.0])
    y = x.exp()
    loss = (y * y + y).sum()
    g = draw(loss, {"x": x, "y": y})
    assert g.nodes.count("ExpBackward0(y)") == 1
    assert g.nodes.count("AccumulateGrad(x)") == 1
    # y feeds the product (twice, one edge) and the sum; longest path puts it above both
    assert sorted(p for c, p in g.edges if c == "ExpBackward0(y)") == ["AddBackward0",
                                                                       "MulBackward0"]
    depth = dict(zip(g.nodes, [p[1] for p in g.positions]))
    assert depth["ExpBackward0(y)"] > depth["MulBackward0"] > depth["AddBackward0"]


def test_input_used_twice_is_one_node_with_two_arrows():
    x = leaf(minigrad, [3.0])
    g = draw((x * x).sum(), {"x": x})
    assert g.nodes == ["SumBackward0", "MulBackward0", "AccumulateGrad(x)"]
    assert g.edges == [("MulBackward0", "SumBackward0"), ("AccumulateGrad(x)", "MulBackward0")]
    assert "n2 -> n1;\n  n2 -> n1" not in g.to_dot() and 'n2 -> n1 [label="x2"]' in g.to_dot()


def test_named_intermediates_show_data_and_grad():
    x, y, z, loss = tutorial_graph(minigrad)
    z.retain_grad()
    loss.backward()
    g = draw(loss, {"x": x, "y": y, "z": z})
    info = dict(zip(g.nodes, g.info))
    assert info["MulBackward0(z)"]["lines"] == [
        "MulBackward0(z)", "shape (3,)", "data [ 4. 10. 18.]", "grad [1. 1. 1.]",
    ]
    assert info["AccumulateGrad(x)"]["lines"][2:] == ["data [1. 2. 3.]", "grad [4. 5. 6.]"]
    assert info["SumBackward0"]["lines"] == ["SumBackward0", "shape ()", "data 32."]  # the root
    hidden = draw(loss, {"x": x, "z": z}, show_data=False, show_grad=False)
    assert dict(zip(hidden.nodes, hidden.info))["MulBackward0(z)"]["lines"] == [
        "MulBackward0(z)", "shape (3,)"]


@pytest.mark.torch
def test_named_data_same_text_as_torch():
    torch = pytest.importorskip("torch")
    texts = []
    for e in (minigrad, torch):
        x, y, z, loss = tutorial_graph(e)
        z.retain_grad()
        loss.backward()
        texts.append([info["lines"] for info in draw(loss, {"x": x, "y": y, "z": z}).info])
    assert texts[0] == texts[1]


def test_big_tensors_are_abbreviated():
    x = minigrad.arange(1000.0).reshape(10, 100).requires_grad_()
    g = draw((x * 2).sum(), {"x": x})
    lines = dict(zip(g.nodes, g.info))["AccumulateGrad(x)"]["lines"]
    assert lines[:2] == ["AccumulateGrad(x)", "shape (10, 100)"]
    assert "..." in "".join(lines) and len(lines) <= 2 + 6 and max(map(len, lines)) <= 50
    cube = minigrad.zeros(5, 5, 5, requires_grad=True)
    lines = draw(cube * 2, {"c": cube}).info[-1]["lines"]
    assert lines[0] == "AccumulateGrad(c)" and len(lines) == 2 + 6 and lines[-1] == "      ..."


def test_leaf_as_root():
    x = leaf(minigrad, [1.0])
    assert draw(x, {"x": x}).nodes == ["AccumulateGrad(x)"]
    assert draw(minigrad.tensor([1.0])).nodes == ["Tensor"]


def test_deterministic():
    def once():
        x, y, z, loss = tutorial_graph(minigrad)
        w = leaf(minigrad, [1.0, 1.0, 1.0])
        loss = loss + (z * w).sum() + (x.exp() * y).sum()
        return draw(loss, {"x": x, "y": y, "z": z, "w": w})

    a, b = once(), once()
    assert (a.nodes, a.edges, a.positions, a.to_dot()) == (b.nodes, b.edges, b.positions,
                                                            b.to_dot())
    pytest.importorskip("matplotlib")
    assert a._repr_png_() == b._repr_png_()


def test_long_chain_has_no_recursion_limit():
    x = leaf(minigrad, [1.0])
    y = x
    for _ in range(2000):
        y = y * 1.0001
    g = draw(y, {"x": x})
    assert len(g.nodes) == 2001 and g.nodes[-1] == "AccumulateGrad(x)"
    assert g.edges[0] == ("MulBackward0#2", "MulBackward0")


def test_200_node_chain_renders():
    pytest.importorskip("matplotlib")
    x = leaf(minigrad, [1.0, 2.0])
    y = x
    for i in range(199):
        y = y.tanh() if i % 2 else y * 0.5
    g = draw(y, {"x": x})
    assert len(g.nodes) == 200
    png = g._repr_png_()
    assert png.startswith(PNG_HEADER)


@pytest.mark.parametrize("suffix, magic", [("png", PNG_HEADER), ("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_save_writes_valid_files(tmp_path, suffix, magic):
    pytest.importorskip("matplotlib")
    *_, loss = tutorial_graph(minigrad)
    path = tmp_path / f"graph.{suffix}"
    draw(loss).save(str(path))
    assert path.read_bytes().startswith(magic)
    if suffix == "png":
        from matplotlib.image import imread

        assert imread(str(path)).ndim == 3


def test_figure_is_a_matplotlib_figure_and_backend_untouched():
    matplotlib = pytest.importorskip("matplotlib")
    backend = matplotlib.get_backend()
    *_, loss = tutorial_graph(minigrad)
    g = draw(loss)
    from matplotlib.figure import Figure

    assert isinstance(g.figure, Figure) and g.figure is g.figure
    assert matplotlib.get_backend() == backend


def test_dot_engine_needs_graphviz(tmp_path, monkeypatch):
    import minigrad.viz as viz

    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    *_, loss = tutorial_graph(minigrad)
    with pytest.raises(RuntimeError, match="`dot` program was not found"):
        draw(loss).save(str(tmp_path / "g.svg"), engine="dot")


def test_works_without_torch_and_without_pyplot():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "import minigrad\n"
        "from minigrad.viz import draw\n"
        "x = minigrad.tensor([1.0, 2.0], requires_grad=True)\n"
        "y = minigrad.tensor([3.0, 4.0], requires_grad=True)\n"
        "g = draw((x * y).sum(), {'x': x, 'y': y})\n"
        "assert g.nodes == ['SumBackward0', 'MulBackward0', 'AccumulateGrad(x)', "
        "'AccumulateGrad(y)'], g.nodes\n"
        "try:\n"
        "    import matplotlib\n"
        "except ImportError:\n"
        "    sys.exit(0)\n"
        "assert g._repr_png_().startswith(b'\\x89PNG')\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_graph_structure_needs_no_matplotlib():
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "import minigrad\n"
        "from minigrad.viz import draw\n"
        "x = minigrad.tensor([1.0], requires_grad=True)\n"
        "assert draw(x.exp().sum()).nodes == ['SumBackward0', 'ExpBackward0', 'AccumulateGrad']\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_data_formatting_is_numpy_independent_of_engine_dtype():
    x = minigrad.tensor(np.array([1.5, 2.25], dtype=np.float32), requires_grad=True)
    g = draw(x * 2, {"x": x})
    assert dict(zip(g.nodes, g.info))["AccumulateGrad(x)"]["lines"][2] == "data [1.5  2.25]"
