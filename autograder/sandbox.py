"""Run a notebook's code and the check harnesses in a sandbox: bubblewrap where present, plus rlimits.

The sandbox sees a read-only Python install, NumPy, and a staged copy of the check modules plus
`harness_runner.py`; a private tmpfs is its only writable place; it has no network and runs as an
unprivileged user id of its own (group `nobody`). Neither torch nor minigrad can be imported there.
Where `bwrap` is missing the code runs with rlimits only, and a loud warning says so.
"""
from __future__ import annotations

import json
import os
import queue
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy

from .staging import harness_only

NOBODY = 65534
UID_BASE = 200_000
HERE = Path(__file__).resolve().parent
MAX_LINE = 80 << 20


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed run (seconds and bytes)."""

    memory: int = 3 << 30
    cpu: int = 300
    nproc: int = 256
    fsize: int = 64 << 20
    cell_timeout: float = 120.0
    check_timeout: float = 60.0
    total_timeout: float = 900.0


@dataclass
class RunResult:
    """What came out of the untrusted phase: cell errors and each check's status and (encoded) data."""

    cell_errors: dict = field(default_factory=dict)   # cell index -> message
    checks: dict = field(default_factory=dict)        # name -> (status, data)
    notes: list = field(default_factory=list)


class SandboxUnavailable(UserWarning):
    pass


def _world_usable(path: Path) -> bool:
    """Whether uid `nobody` can reach `path` (every directory above it world-searchable)."""
    path = Path(path).resolve()
    for parent in [*reversed(path.parents), path]:
        mode = parent.stat().st_mode
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return False
    return bool(path.stat().st_mode & stat.S_IROTH)


def sandbox_python() -> Path:
    """An interpreter of this Python version that `nobody` can run (the venv's base, or /usr/bin)."""
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    for candidate in (Path(sys.base_prefix) / "bin" / version, Path("/usr/bin") / version):
        if candidate.exists() and _world_usable(candidate):
            return candidate
    raise SandboxUnavailable(f"no {version} that an unprivileged user can run")


def bwrap_path() -> str | None:
    if os.environ.get("AUTOGRADER_NO_BWRAP"):
        return None
    return shutil.which("bwrap")


def stage_harness(directory: Path) -> Path:
    """The runner and the checks' harness halves where the sandbox can see them (and nothing else).

    Judges are emptied in the staged copy (`staging.harness_only`): student code may read every
    file it can see, and the references, tolerances and hints are none of its business.
    """
    checks = directory / "autograder" / "checks"
    checks.mkdir(parents=True)
    (directory / "autograder" / "__init__.py").write_text("")
    for source in sorted((HERE / "checks").glob("*.py")):
        (checks / source.name).write_text(harness_only(source.read_text()))
    shutil.copy(HERE / "harness_runner.py", directory / "harness_runner.py")
    for path in [directory, *directory.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return directory


class Sandbox:
    """Runs jobs; one instance per worker process (the staged harness is reused)."""

    def __init__(self, limits: Limits = Limits()):
        self.limits = limits
        self._stage = Path(tempfile.mkdtemp(prefix="autograder-harness-"))
        self._stage.chmod(0o755)
        stage_harness(self._stage)
        self.bwrap = bwrap_path()
        self.python = None
        self._argv = None
        self._launcher = False  # prlimit and setpriv found (see _limited)
        if self.bwrap and os.geteuid() == 0:
            try:
                self.python = sandbox_python()
            except SandboxUnavailable as exc:
                self._warn(f"{exc}; ")
                self.bwrap = None
        elif self.bwrap:
            self.python = Path(sys.executable)
        if not self.bwrap:
            self._warn("")

    def _warn(self, reason: str) -> None:
        message = ("\n" + "!" * 78 + f"\nWARNING: {reason}bubblewrap (bwrap) is not available: student code"
                   " runs with rlimits ONLY,\nwith this user's view of the file system and network."
                   " Install bubblewrap (apt install bubblewrap).\n" + "!" * 78)
        print(message, file=sys.stderr)
        warnings.warn(message, SandboxUnavailable, stacklevel=3)

    @property
    def isolated(self) -> bool:
        return self.bwrap is not None

    def close(self) -> None:
        shutil.rmtree(self._stage, ignore_errors=True)

    # -- the command and its limits ------------------------------------------------------------

    def _command(self) -> tuple[list[str], list[str]]:
        """(argv, sys.path entries for the runner), worked out once: it is the same for every run."""
        if self._argv is None:
            argv, path = self._sandbox_command()
            self._argv = self._limited(argv), path
        return self._argv

    def _sandbox_command(self) -> tuple[list[str], list[str]]:
        numpy_dir = Path(numpy.__file__).resolve().parent
        if not self.bwrap:  # a view of site-packages that holds NumPy alone
            site = self._stage / "site"
            if not site.exists():
                site.mkdir(mode=0o755)
                (site / "numpy").symlink_to(numpy_dir)
                if (numpy_dir.parent / "numpy.libs").is_dir():
                    (site / "numpy.libs").symlink_to(numpy_dir.parent / "numpy.libs")
            return ([sys.executable, "-I", "-S", str(self._stage / "harness_runner.py")],
                    [str(self._stage), str(site)])
        python = self.python
        prefix = python.resolve().parents[1]
        argv = [self.bwrap, "--unshare-all", "--die-with-parent", "--new-session",
                "--ro-bind", "/usr", "/usr"]
        for name in ("bin", "lib", "lib64", "sbin"):
            target = Path("/") / name
            if target.is_symlink():
                argv += ["--symlink", os.readlink(target), str(target)]
            elif target.is_dir():
                argv += ["--ro-bind", str(target), str(target)]
        if not str(prefix).startswith("/usr"):
            argv += ["--ro-bind", str(prefix), str(prefix)]
        # Hide every site-packages and dist-packages directory of the base install: only NumPy shows.
        hidden = set()
        for pattern in ("lib/python3*/site-packages", "lib/python3*/dist-packages",
                        "lib/python3/dist-packages", "local/lib/python3*/dist-packages"):
            hidden.update(prefix.glob(pattern), Path("/usr").glob(pattern))
        for directory in sorted(hidden):
            argv += ["--tmpfs", str(directory)]
        argv += ["--ro-bind", str(numpy_dir), "/site/numpy"]
        libs = numpy_dir.parent / "numpy.libs"
        if libs.is_dir():
            argv += ["--ro-bind", str(libs), "/site/numpy.libs"]
        argv += ["--ro-bind", str(self._stage), "/grader", "--proc", "/proc", "--dev", "/dev",
                 "--tmpfs", "/tmp", "--chdir", "/tmp", "--setenv", "HOME", "/tmp",
                 "--", str(python), "-I", "-S", "/grader/harness_runner.py"]
        return argv, ["/grader", "/site"]

    def _limited(self, argv: list[str]) -> list[str]:
        """`argv` behind prlimit and setpriv (util-linux), which do what `_preexec` does.

        Without a Python function to run between fork and exec, subprocess starts the child with
        vfork: forking a worker that holds torch (a few hundred MB mapped) costs ~30 ms a run.
        Where either tool is missing, `_preexec` does it (self._launcher stays False).
        """
        prlimit, setpriv = shutil.which("prlimit"), shutil.which("setpriv")
        self._launcher = bool(prlimit and setpriv)
        if not self._launcher:
            return argv
        limits = self.limits
        prefix = [prlimit, f"--as={limits.memory}", f"--cpu={limits.cpu}", f"--nproc={limits.nproc}",
                  f"--fsize={limits.fsize}", "--core=0", "--"]
        if os.geteuid() == 0:
            prefix += [setpriv, f"--reuid={self._uid()}", f"--regid={NOBODY}", "--clear-groups", "--"]
        return prefix + argv

    @staticmethod
    def _uid() -> int:
        # A user id of its own per grading process: RLIMIT_NPROC counts per user, so a fork bomb in
        # one sandbox cannot starve the sandboxes running beside it.
        return UID_BASE + os.getpid() % 100_000

    def _preexec(self) -> None:
        limits = self.limits
        for kind, value in ((resource.RLIMIT_AS, limits.memory), (resource.RLIMIT_CPU, limits.cpu),
                            (resource.RLIMIT_NPROC, limits.nproc),
                            (resource.RLIMIT_FSIZE, limits.fsize), (resource.RLIMIT_CORE, 0)):
            resource.setrlimit(kind, (value, value))
        if os.geteuid() == 0:  # an unprivileged user: rlimits on processes bind only non-root users
            uid = UID_BASE + os.getppid() % 100_000  # _uid() as seen from the grading process
            os.setgroups([])
            os.setresgid(NOBODY, NOBODY, NOBODY)
            os.setresuid(uid, uid, uid)

    # -- running a job -------------------------------------------------------------------------

    def run(self, cells: list[str], assignment: str, checks: list[str], seed: int) -> RunResult:
        """Run the notebook's cells, then each check's harness; restart past cells that kill it."""
        result = RunResult()
        skip: set[int] = set()
        remaining = list(checks)
        deadline = time.monotonic() + self.limits.total_timeout
        for _ in range(len(cells) + len(checks) + 2):
            events, ended = self._run_once(cells, skip, assignment, remaining, seed, deadline)
            started_cell = started_check = None
            for event in events:
                kind = event.get("event")
                if kind == "cell_start":
                    started_cell = event.get("index")
                elif kind == "cell_end":
                    started_cell = None
                    if event.get("error"):
                        result.cell_errors[event.get("index")] = str(event["error"])
                elif kind == "check_start":
                    started_check = event.get("name")
                elif kind == "check" and event.get("name") == started_check in remaining:
                    # The last record after a check's start wins: the runner writes the real one
                    # after the check's process has gone, so records forged by student code lose.
                    result.checks[started_check] = (event.get("status"), event.get("data"))
            remaining = [name for name in remaining if name not in result.checks]
            if any(e.get("event") == "done" for e in events) or not remaining:
                break
            if started_cell is not None and isinstance(started_cell, int):
                result.cell_errors[started_cell] = ended
                skip.add(started_cell)
            elif started_check in remaining:
                result.checks[started_check] = ("crashed", ended)
                remaining.remove(started_check)
            else:
                result.notes.append(f"the notebook's code could not be run: {ended}")
                break
            if time.monotonic() > deadline:
                break
        for name in remaining:
            result.checks.setdefault(name, ("crashed", "not run: the time for this notebook ran out"))
        return result

    def _run_once(self, cells, skip, assignment, checks, seed, deadline):
        argv, path = self._command()
        job = {"cells": cells, "skip": sorted(skip), "assignment": assignment, "checks": checks,
               "seed": seed, "check_timeout": self.limits.check_timeout, "path": path}
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1",
               "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "HOME": "/tmp"}
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, env=env, cwd="/",
                                   preexec_fn=None if self._launcher else self._preexec,
                                   start_new_session=True)
        lines: queue.Queue = queue.Queue()

        def reader():
            try:
                for line in iter(lambda: process.stdout.readline(MAX_LINE), b""):
                    lines.put(line)
            finally:
                lines.put(None)

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        try:
            process.stdin.write(json.dumps(job).encode())
            process.stdin.close()
        except OSError:
            pass
        events: list[dict] = []
        phase_end = time.monotonic() + self.limits.cell_timeout
        ended = None
        while True:
            limit = min(phase_end, deadline) - time.monotonic()
            try:
                line = lines.get(timeout=max(limit, 0.0))
            except queue.Empty:
                ended = f"stopped after its time limit ({self.limits.cell_timeout:g} s per cell)"
                break
            if line is None:
                break
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if not isinstance(event, dict):
                continue
            events.append(event)
            if event.get("event") == "check_start":
                phase_end = time.monotonic() + self.limits.check_timeout + 10
            elif event.get("event") in ("cell_start", "cell_end", "check"):
                phase_end = time.monotonic() + self.limits.cell_timeout
        if ended is None:
            try:
                process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        self._kill(process)
        thread.join(timeout=5)
        if ended is None:
            code = process.returncode
            ended = ("the process ended" if code in (0, None)
                     else f"the process was ended (exit status {code})")
            if code is not None and code < 0:
                ended = f"the process was killed by signal {signal.Signals(-code).name}"
        return events, ended

    @staticmethod
    def _kill(process: subprocess.Popen) -> None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            process.kill()
        except OSError:
            pass
        process.wait()
