"""The project's front door: dependencies, the torch pin, the README's quick start and tour, CI."""
import io
import os
import re
import subprocess
import sys
import tomllib
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from tests.conftest import normalise

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
README = (ROOT / "README.md").read_text()
TORCH_PIN = "torch==2.13.0"


def requirement_name(req: str) -> str:
    return re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req).group(1).lower().replace("_", "-")


def section(markdown: str, heading: str) -> str:
    """The text under a '## heading', up to the next '## '."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, re.S | re.M)
    assert match, f"README has no '## {heading}' section"
    return match.group(1)


def code_blocks(markdown: str, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", markdown, re.S | re.M)


def quick_start_commands() -> list[str]:
    blocks = code_blocks(section(README, "Quick start"), "sh")
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


# Dependencies ---------------------------------------------------------------------------------


def test_runtime_dependencies_are_numpy_only():
    names = [requirement_name(r) for r in PYPROJECT["project"]["dependencies"]]
    assert names == ["numpy"]


def test_extras_exist_and_all_gathers_them():
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert {"course", "grader", "dev", "all"} <= set(extras)
    gathered = " ".join(extras["all"])
    for extra in ("course", "grader", "dev"):
        assert extra in gathered or set(extras[extra]) <= set(extras["all"]), extra
    assert any(requirement_name(r) == "pytest" for r in extras["dev"])


def test_every_torch_requirement_in_pyproject_is_pinned():
    extras = PYPROJECT["project"]["optional-dependencies"]
    reqs = PYPROJECT["project"]["dependencies"] + [r for group in extras.values() for r in group]
    torch_reqs = [r.replace(" ", "") for r in reqs if requirement_name(r) == "torch"]
    assert torch_reqs, "the dev extra should bring torch for the differential tests"
    assert all(r == TORCH_PIN for r in torch_reqs), torch_reqs


def test_constraints_pin_torch():
    lines = [line.split("#")[0].strip() for line in (ROOT / "constraints.txt").read_text().splitlines()]
    assert TORCH_PIN in lines


SKIP_DIRS = {".git", "node_modules", "__pycache__", "build", "dist", ".hypothesis", ".pytest_cache"}
TEXT_SUFFIXES = {".txt", ".toml", ".cfg", ".md", ".yml", ".yaml", ".ini", ".sh", ".py", ".ipynb", ""}
# A requirement with a version spec: torch==X, torch>=X, ... (not torch.something, not minitorch).
TORCH_SPEC = re.compile(r"(?<![\w.-])torch\s*(===|==|~=|!=|>=|<=|<|>)\s*[0-9][\w.+*]*")


def repo_text_files():
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".venv")
                       and not d.endswith(".egg-info")]
        for name in filenames:
            path = Path(dirpath, name)
            if path.suffix in TEXT_SUFFIXES and path.stat().st_size < 2_000_000:
                yield path


def test_every_torch_version_spec_in_the_repo_is_the_pin():
    found = {}
    for path in repo_text_files():
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for match in TORCH_SPEC.finditer(text):
            found.setdefault(match.group(0).replace(" ", ""), []).append(str(path.relative_to(ROOT)))
    assert TORCH_PIN in found
    assert set(found) == {TORCH_PIN}, found


def test_every_pip_install_uses_the_constraints():
    for name in ("README.md", ".ci/run"):
        for line in (ROOT / name).read_text().splitlines():
            for command in re.findall(r"pip install[^&;]*", line):
                assert "-c constraints.txt" in command, f"{name}: {line}"


# README and CI ---------------------------------------------------------------------------------


def test_quick_start_has_exactly_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    demo, tests = commands
    assert demo.endswith("minigrad-grade demo") and '".[grader]"' in demo
    assert "pytest" in tests and '".[dev]"' in tests


def test_ci_runs_the_readme_test_command_verbatim():
    test_command = quick_start_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command in ci.splitlines()
    assert 'pytest -m "not torch"' in ci
    assert "set -euo pipefail" in ci
    assert os.access(ROOT / ".ci" / "run", os.X_OK)


def readme_tour() -> str:
    (block,) = code_blocks(section(README, "A ten-line tour"), "python")
    return block


def test_readme_tour_is_ten_lines_starting_with_minigrad():
    lines = readme_tour().splitlines()
    assert len(lines) <= 10
    assert lines[0].startswith("import minigrad as torch")


def run_tour(first_line: str) -> str:
    lines = readme_tour().splitlines()
    code = "\n".join([first_line] + lines[1:])
    out = io.StringIO()
    with redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    return out.getvalue()


def expected_tour_output() -> str:
    """The README writes each print's output as the comment on that line."""
    return "".join(line.split("#")[-1].strip() + "\n" for line in readme_tour().splitlines()
                   if line.startswith("print("))


def test_readme_tour_runs_on_minigrad_and_prints_what_it_says():
    assert run_tour("import minigrad as torch") == expected_tour_output()


@pytest.mark.torch
def test_readme_tour_runs_on_torch_and_prints_the_same():
    pytest.importorskip("torch")
    assert normalise(run_tour("import torch")) == normalise(expected_tour_output())


# Imports without torch -------------------------------------------------------------------------

# NumPy is the engine's only dependency: it must import with torch (and matplotlib) unavailable.
BLOCK = "import sys; sys.modules['torch'] = None; sys.modules['matplotlib'] = None\n"


def test_minigrad_imports_with_torch_blocked():
    code = BLOCK + (
        "import minigrad, minigrad.nn, minigrad.optim, minigrad.autograd\n"
        "x = minigrad.tensor([1.0, 2.0], requires_grad=True)\n"
        "(x * x).sum().backward()\n"
        "assert x.grad.tolist() == [2.0, 4.0]\n"
        "assert 'torch' not in {m.split('.')[0] for m in sys.modules if sys.modules[m] is not None}\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
