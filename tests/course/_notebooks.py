"""Running the lessons' notebooks in a fresh kernel and reading what they printed."""
from __future__ import annotations

import copy
import functools
import math
import os
import re
from pathlib import Path

LESSONS_DIR = Path(__file__).resolve().parents[2] / "course" / "lessons"
LESSONS = sorted(p.name for p in LESSONS_DIR.glob("[0-9][0-9]_*.ipynb"))

# The one cell tag the comparison skips: cells that print what only one engine can show.
ENGINE_SPECIFIC = "engine-specific"
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def read(name: str):
    import nbformat

    return nbformat.read(LESSONS_DIR / name, as_version=4)


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def execute(nb, engine: str):
    """Execute ``nb`` in a fresh kernel with COURSE_ENGINE=engine; raise on the first error."""
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    saved = {k: os.environ.get(k) for k in ("COURSE_ENGINE", "OMP_NUM_THREADS", "MPLBACKEND")}
    os.environ["COURSE_ENGINE"] = engine
    os.environ["OMP_NUM_THREADS"] = "1"  # two test workers share two cores
    os.environ.pop("MPLBACKEND", None)  # the kernel's inline backend, as in JupyterLab
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(LESSONS_DIR)}}).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return nb


def cell_text(cell) -> str:
    """What a code cell printed: its stdout and the text of its result (pictures left out)."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream" and out.name == "stdout":
            parts.append(out.text)
        elif out.output_type == "execute_result" and "text/plain" in out.data:
            if not any(k.startswith("image/") for k in out.data):
                parts.append(out.data["text/plain"] + "\n")
    return "".join(parts)


def has_image(cell) -> bool:
    return any(k.startswith("image/") for out in cell.get("outputs", [])
               if out.output_type in ("display_data", "execute_result") for k in out.data)


def with_answers(nb, name: str):
    """The lesson with every exercise answered right and checked, then answered wrong and checked.

    Returns the notebook and [(cell index, "right" or "wrong")] for the check cells' verdicts.
    """
    from .solutions import SOLUTIONS

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


@functools.lru_cache(maxsize=None)
def run(name: str, engine: str):
    """Run a lesson, its exercises answered (see with_answers), on ``engine``, once per process.

    Returns ((cell index, printed text, compared?) for every code cell, expected verdicts).
    """
    nb, expected = with_answers(read(name), name)
    done = execute(nb, engine)
    texts = tuple((i, cell_text(c), ENGINE_SPECIFIC not in tags(c))
                  for i, c in enumerate(done.cells) if c.cell_type == "code")
    return texts, tuple(expected)


def _close(a: str, b: str) -> bool:
    x, y = float(a), float(b)
    return math.isclose(x, y, rel_tol=2e-3, abs_tol=2e-4) or (math.isnan(x) and math.isnan(y))


def same_line(mine: str, theirs: str) -> bool:
    """minigrad's line against torch's: numbers within a tolerance, the rest equal.

    minigrad's errors carry torch's text and then one teaching sentence, so a minigrad line may
    go on after the whole of torch's line.
    """
    mine, theirs = (line.replace("torch::autograd::", "").replace("torch.", "minigrad.")
                    for line in (mine, theirs))
    if _same_tokens(mine, theirs):
        return True
    return len(mine) > len(theirs) and mine[len(theirs)] in " ." and _same_tokens(mine[:len(theirs)], theirs)


def _same_tokens(a: str, b: str) -> bool:
    if _NUMBER.sub("#", a) != _NUMBER.sub("#", b):
        return False
    return all(_close(x, y) for x, y in zip(_NUMBER.findall(a), _NUMBER.findall(b)))
