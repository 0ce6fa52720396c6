"""The exercises' self-checks: a right answer passes, a wrong one fails, and neither cell reveals
the answer."""
import copy

import pytest

from ._notebooks import LESSONS, cell_text, execute, read, tags
from .solutions import SOLUTIONS


def _with_answers(nb, name):
    """Each exercise answered right, checked, then answered wrong and checked again."""
    nb = copy.deepcopy(nb)
    cells, expected = [], []
    for cell in nb.cells:
        label = next((t.split("-")[1] for t in tags(cell) if t.startswith("exercise-")), None)
        if label and tags(cell)[0].endswith("-answer"):
            cell.source = SOLUTIONS[name][label][0]
        cells.append(cell)
        if label and tags(cell)[0].endswith("-check"):
            expected.append((len(cells) - 1, "right"))
            wrong = copy.deepcopy(cell)
            wrong.source = SOLUTIONS[name][label][1]
            wrong.metadata["tags"] = []
            cells.append(wrong)
            cells.append(copy.deepcopy(cell))
            expected.append((len(cells) - 1, "wrong"))
    nb.cells = cells
    return nb, expected


@pytest.mark.parametrize("name", LESSONS)
def test_self_checks_tell_right_from_wrong(name):
    pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    nb, expected = _with_answers(read(name), name)
    done = execute(nb, "minigrad")
    for index, verdict in expected:
        text = cell_text(done.cells[index])
        assert f": {verdict}." in text, f"{name} cell {index}: expected {verdict}, got {text!r}"


@pytest.mark.parametrize("name", LESSONS)
def test_unanswered_exercises_say_so(name):
    pytest.importorskip("nbclient")
    from ._notebooks import printed

    texts = "".join(text for _, text in printed(name, "minigrad"))
    assert texts.count("not answered yet") == len(SOLUTIONS[name])
    assert ": right." not in texts


def test_fingerprints_hide_and_round():
    import sys

    from ._notebooks import LESSONS_DIR
    sys.path.insert(0, str(LESSONS_DIR))
    try:
        from selfcheck import fingerprint
    finally:
        sys.path.remove(str(LESSONS_DIR))
    assert fingerprint(1.5) == fingerprint([1.5][0] + 1e-5) != fingerprint(1.51)
    assert fingerprint(-0.0) == fingerprint(0.0)
    assert fingerprint([1, 2]) == fingerprint((1.0, 2.0))
    assert len(fingerprint(3.0)) == 16
