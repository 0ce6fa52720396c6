"""The trusted phase on its own: data that did not come from a right answer never earns a point.

Student code shares its process with the harness, so whatever reaches a judge may be forged.
Each judge must therefore hold on its own: fed an honest answer it gives full points; fed that
answer with a piece cut out (a list emptied, a key dropped, an array made empty), or data recorded
under another seed (a replay), or degenerate values, it gives fewer.
"""
import copy
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("nbformat")
torch = pytest.importorskip("torch")  # the judges compare with torch
pytestmark = pytest.mark.torch

from autograder.checks import CHECKS  # noqa: E402
from autograder.harness_runner import encode, strip_magics  # noqa: E402
from autograder.judging import judge_check  # noqa: E402
from autograder.notebook_io import code_cells, read_submission  # noqa: E402

COURSE = Path(__file__).resolve().parents[2] / "course"
SEED, OTHER_SEED = 11, 12
FAST = {a: [n for n in CHECKS[a] if "deep" not in n] for a in CHECKS}  # deep chains: see below
DEGENERATE = [None, {}, [], 0, 1.0, True, "", {"error": "x"}, np.zeros(0), [None] * 3, [[]] * 3,
              [{}] * 3, {"SGD": {}, "Adam": {}}]


def _alice(assignment: str) -> dict:
    """The globals of alice's (right) notebook, run in this process: a trusted sample."""
    nb = read_submission(COURSE / "samples" / assignment / "alice" / f"{assignment}.ipynb")
    namespace = {"__name__": "__main__"}
    for source in code_cells(nb):
        exec(compile(strip_magics(source), "<alice>", "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def honest():
    """(assignment, check) -> encoded data from alice's reference answers, for two seeds."""
    data = {}
    for assignment, names in FAST.items():
        namespace = _alice(assignment)
        for name in names:
            harness = CHECKS[assignment][name].harness
            data[assignment, name] = {seed: json.loads(json.dumps(encode(harness(namespace, seed))))
                                      for seed in (SEED, OTHER_SEED)}
    return data


def _judge(assignment, name, data, seed=SEED):
    return judge_check(assignment, name, "ok", data, seed)


def _cuts(value, path=()):
    """Every copy of `value` with one piece cut out: (where, the damaged copy)."""
    if isinstance(value, dict) and "__ndarray__" in value:
        if value["__ndarray__"]:
            yield path, {**value, "__ndarray__": [], "shape": [0], "scalar": False}
        return
    if isinstance(value, dict):
        for key in value:
            for where, damaged in _cuts(value[key], path + (key,)):
                yield where, {**value, key: damaged}
        if value and not set(value) & {"__tuple__", "__dict__"}:
            yield path + ("<all keys>",), {}
        return
    if isinstance(value, list):
        if value:
            yield path + ("<emptied>",), []
            yield path + ("<last dropped>",), value[:-1]
        for i, item in enumerate(value):
            for where, damaged in _cuts(item, path + (i,)):
                yield where, value[:i] + [damaged] + value[i + 1:]


CASES = [(a, n) for a in FAST for n in FAST[a]]


@pytest.mark.parametrize("assignment,name", CASES)
def test_honest_data_earns_full_points(honest, assignment, name):
    result = _judge(assignment, name, honest[assignment, name][SEED])
    assert result.points == result.max_points, result.feedback


@pytest.mark.parametrize("assignment,name", CASES)
def test_replayed_data_from_another_seed_earns_nothing(honest, assignment, name):
    result = _judge(assignment, name, honest[assignment, name][OTHER_SEED])
    assert result.points == 0, result.feedback


@pytest.mark.parametrize("assignment,name", CASES)
def test_damaged_data_costs_points(honest, assignment, name):
    data = honest[assignment, name][SEED]
    cuts = list(_cuts(data))
    assert cuts, "nothing to cut: the data holds no list, dict or array"
    lenient = [where for where, damaged in cuts if damaged != data
               and _judge(assignment, name, copy.deepcopy(damaged)).points > 0]
    assert not lenient, f"full or partial points with a piece cut out at {lenient[:5]}"


@pytest.mark.parametrize("assignment,name", [(a, n) for a in CHECKS for n in CHECKS[a]])
def test_degenerate_data_earns_nothing(assignment, name):
    for value in DEGENERATE:
        result = _judge(assignment, name, json.loads(json.dumps(encode(value))))
        assert result.points == 0, (value, result.feedback)


def test_deep_checks_depend_on_the_seed():
    """The 100,000-node checks: the expected answer differs between seeds, so no replay passes."""
    namespace = _alice("backprop")
    for name in ("toposort_deep", "backward_deep"):
        check = CHECKS["backprop"][name]
        answers = [json.loads(json.dumps(encode(check.harness(namespace, seed))))
                   for seed in (SEED, OTHER_SEED)]
        assert _judge("backprop", name, answers[0]).points == check.points
        assert _judge("backprop", name, answers[1]).points == 0
