"""The lessons: stored clean, run top to bottom on minigrad and on torch, print the same things,
and their self-checks tell a right answer from a wrong one."""
import json

import pytest

from ._notebooks import ENGINE_SPECIFIC, LESSONS, LESSONS_DIR, run, same_line, tags
from .solutions import SOLUTIONS


def test_nine_numbered_lessons():
    assert [name[:3] for name in LESSONS] == [f"{i:02d}_" for i in range(1, 10)]


@pytest.mark.parametrize("name", LESSONS)
def test_stored_without_outputs(name):
    nb = json.loads((LESSONS_DIR / name).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{name}: a code cell has stored outputs"
            assert cell["execution_count"] is None, f"{name}: a code cell has an execution count"


@pytest.mark.parametrize("name", LESSONS)
def test_first_code_cell_selects_the_engine(name):
    nb = json.loads((LESSONS_DIR / name).read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    first = "".join(code[0]["source"])
    assert 'os.environ.get("COURSE_ENGINE", "minigrad")' in first
    assert "importlib.import_module" in first


@pytest.mark.parametrize("name", LESSONS)
def test_two_or_three_exercises_at_the_end(name):
    nb = json.loads((LESSONS_DIR / name).read_text(encoding="utf-8"))
    answers = [i for i, c in enumerate(nb["cells"]) if any(t.endswith("-answer") for t in tags(c))]
    checks = [i for i, c in enumerate(nb["cells"]) if any(t.endswith("-check") for t in tags(c))]
    assert 2 <= len(answers) == len(checks) <= 3
    assert set(SOLUTIONS[name]) == {t.split("-")[1] for i in answers for t in tags(nb["cells"][i])
                                    if t.endswith("-answer")}
    for i in checks:  # self-checks use the helper module only, never an engine
        source = "".join(nb["cells"][i]["source"])
        assert "torch" not in source.replace("torch.", "") and "check(" in source


@pytest.mark.parametrize("name", LESSONS)
def test_runs_on_minigrad(name):
    pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    texts, _ = run(name, "minigrad")  # raises on the first cell with an error
    assert sum(bool(text) for _, text, _ in texts) >= 5, f"{name} printed almost nothing"


@pytest.mark.torch
@pytest.mark.parametrize("name", LESSONS)
def test_torch_prints_the_same(name):
    pytest.importorskip("torch")
    pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    (mine, _), (theirs, _) = run(name, "minigrad"), run(name, "torch")
    for (i, a, compared), (_, b, _) in zip(mine, theirs):
        if not compared:
            continue
        a_lines, b_lines = a.splitlines(), b.splitlines()
        assert len(a_lines) == len(b_lines), f"{name} cell {i}:\n{a}\n--- torch ---\n{b}"
        for x, y in zip(a_lines, b_lines):
            assert same_line(x, y), f"{name} cell {i}:\n  minigrad: {x}\n  torch:    {y}"


def test_engine_specific_cells_are_few():
    for name in LESSONS:
        nb = json.loads((LESSONS_DIR / name).read_text(encoding="utf-8"))
        assert sum(ENGINE_SPECIFIC in tags(c) for c in nb["cells"]) <= 2, name
