"""The exercises' self-checks: a right answer passes, a wrong one fails, nothing reveals the answer."""
import sys

import pytest

from ._notebooks import LESSONS, LESSONS_DIR, run


@pytest.fixture(scope="module")
def selfcheck():
    sys.path.insert(0, str(LESSONS_DIR))
    try:
        import selfcheck
    finally:
        sys.path.remove(str(LESSONS_DIR))
    return selfcheck


@pytest.mark.parametrize("name", LESSONS)
def test_self_checks_tell_right_from_wrong(name):
    pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    texts, expected = run(name, "minigrad")
    printed = {i: text for i, text, _ in texts}
    for index, verdict in expected:
        assert f": {verdict}." in printed[index], f"{name} cell {index}: expected {verdict}, got {printed[index]!r}"


def test_fingerprints_round_and_hide(selfcheck):
    fingerprint = selfcheck.fingerprint
    assert fingerprint(1.5) == fingerprint(1.5 + 1e-5) != fingerprint(1.51)
    assert fingerprint(-0.0) == fingerprint(0.0)
    assert fingerprint([1, 2]) == fingerprint((1.0, 2.0)) != fingerprint([2, 1])
    assert fingerprint(" MeanBackward0") == fingerprint("meanbackward0")
    assert len(fingerprint(3.0)) == 16


def test_check_prints_only_a_verdict(selfcheck, capsys):
    secret = selfcheck.fingerprint([4.0, 6.0])
    assert selfcheck.check("Exercise 1", [4.0, 6.0], secret, hint="h") is None
    assert capsys.readouterr().out == "Exercise 1: right.\n"
    selfcheck.check("Exercise 1", [4.0, 7.0], secret, hint="look again")
    assert capsys.readouterr().out == "Exercise 1: wrong. Hint: look again\n"
    selfcheck.check("Exercise 1", ..., secret, hint="h")
    assert "not answered yet" in capsys.readouterr().out
    selfcheck.check("Exercise 1", object(), secret, hint="h")
    assert capsys.readouterr().out.startswith("Exercise 1: wrong.")
