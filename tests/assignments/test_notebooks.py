"""The assignment notebooks, without torch: nbgrader metadata, self-checks, torch-free harnesses."""
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from autograder.checks import CHECKS
from autograder.checks._core import compare

from . import _helpers as h


@pytest.mark.parametrize("assignment", h.ASSIGNMENTS)
def test_every_check_has_one_graded_cell_with_its_points(assignment):
    nb = h.source_notebook(assignment)
    graded = {h.meta(c)["grade_id"]: c for c in nb["cells"] if h.meta(c).get("grade")}
    assert set(graded) == {f"test_{name}" for name in CHECKS[assignment]}
    for name, check in CHECKS[assignment].items():
        cell = graded[f"test_{name}"]
        assert h.meta(cell)["points"] == check.points and h.meta(cell)["locked"]
        assert f'run("{assignment}", "{name}", globals())' in h.text(cell)
        assert "### BEGIN HIDDEN TESTS" in h.text(cell)


@pytest.mark.parametrize("assignment", h.ASSIGNMENTS)
def test_cells_are_nbgrader_cells_without_outputs(assignment):
    nb = h.source_notebook(assignment)
    ids = [h.meta(c).get("grade_id") for c in nb["cells"]]
    assert None not in ids and len(set(ids)) == len(ids)
    for cell in nb["cells"]:
        info = h.meta(cell)
        assert info["schema_version"] == 3
        assert info["locked"] != info["solution"], info  # students edit exactly the solution cells
        if info["solution"]:
            assert cell["cell_type"] == "code" and "### BEGIN SOLUTION" in h.text(cell)
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("assignment", h.ASSIGNMENTS)
def test_no_torch_or_minigrad_in_what_students_run(assignment):
    imports = re.compile(r"^\s*(import|from)\s+(torch|minigrad)\b", re.M)
    for cell in h.source_notebook(assignment)["cells"]:
        if cell["cell_type"] == "code" and not h.meta(cell).get("grade"):
            assert not imports.search(h.text(cell)), h.text(cell)


@pytest.mark.parametrize("assignment", h.ASSIGNMENTS)
def test_self_checks_pass_on_the_reference_solution(assignment):
    h.namespace(h.source_notebook(assignment), self_checks=True)  # raises if a self-check fails


HARNESS_WITHOUT_TORCH = textwrap.dedent("""
    import sys
    sys.modules["torch"] = None      # any `import torch` now raises ImportError
    sys.modules["minigrad"] = None
    import numpy as np
    from autograder.checks import CHECKS, backprop
    from tests.assignments import _helpers as h
    backprop.DEEP = 3000

    def plain(x):
        if isinstance(x, dict):
            return all(isinstance(k, str) and plain(v) for k, v in x.items())
        if isinstance(x, (list, tuple)):
            return all(plain(v) for v in x)
        return x is None or isinstance(x, (bool, int, float, str, np.ndarray, np.generic))

    for assignment in h.ASSIGNMENTS:
        ns = h.reference(assignment)
        for name, check in CHECKS[assignment].items():
            data = check.harness(ns, 3)
            assert plain(data), (assignment, name, data)
            assert "error" not in str(data)[:300], (assignment, name, str(data)[:300])
    print("ok")
""")


def test_harnesses_run_without_torch_and_return_plain_data():
    root = h.COURSE.parent
    out = subprocess.run([sys.executable, "-c", HARNESS_WITHOUT_TORCH], cwd=root, capture_output=True,
                         text=True, env={"PYTHONPATH": str(root), "PATH": ""})
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


@pytest.mark.parametrize("got,hint", [
    (lambda e: 2 * e, "accumulated twice"),
    (lambda e: -e, "sign is wrong"),
    (lambda e: np.zeros_like(e), "grad mode"),
    (lambda e: np.broadcast_to(e, (4,) + e.shape).copy(), "not summed back"),
    (lambda e: e.astype(np.float32), "dtype float32"),
    (lambda e: e.T.copy(), "wrong layout"),
])
def test_compare_explains_the_classic_mistakes(got, hint):
    expected = np.random.default_rng(0).normal(size=(2, 3))
    assert hint in compare("x.grad", expected, got(expected))
    assert compare("x.grad", expected, expected.copy()) is None


def test_compare_reports_count_worst_index_and_tolerance():
    expected = np.arange(6.0).reshape(2, 3)
    got = expected.copy()
    got[1, 2] += 0.5
    got[0, 1] += 0.1
    text = compare("w", expected, got, rtol=1e-7, atol=1e-10)
    assert "2 of 6 elements differ" in text and "worst at index (1, 2)" in text
    assert "expected np.float64(5.0), got np.float64(5.5)" in text and "rtol=1e-07" in text


def test_samples_come_from_the_release_with_only_solution_cells_changed():
    for assignment in h.ASSIGNMENTS:
        source = h.source_notebook(assignment)["cells"]
        for student in ("alice", "bob", "carol"):
            sample = h.read(h.COURSE / "samples" / assignment / student / f"{assignment}.ipynb")["cells"]
            assert [h.meta(c)["grade_id"] for c in sample] == [h.meta(c)["grade_id"] for c in source]
            for s, c in zip(sample, source):
                if not h.meta(c).get("solution") and not h.meta(c).get("grade"):
                    assert h.text(s) == h.text(c)
                assert "BEGIN SOLUTION" not in h.text(s) and "autograder" not in h.text(s)
