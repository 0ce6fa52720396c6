"""The untrusted phase: runs inside the sandbox, next to student code. Standard library and NumPy only.

Reads a job (JSON) on stdin: the notebook's code cells, which of them to skip, the assignment, the
check names, the seed and the per-check time limit. Writes one JSON record per line to the stdout it
was started with (student code gets /dev/null as its stdout and stderr):

    {"event": "cell_start", "index": i}            before cell i runs
    {"event": "cell_end", "index": i, "error": e}  e is None or "ExcType: message"
    {"event": "check", "name": n, "status": s, "data": d}   s: ok, error, timeout, crashed
    {"event": "done"}

The grader restarts this process, skipping a cell, if a cell ends it or runs out of time. Each check
runs in a forked child so that a crash, a hang or a memory bomb costs that check only. What a check
returns is encoded by `encode` (arrays as lists + dtype + shape) and never unpickled by anyone.
"""
from __future__ import annotations

import builtins
import json
import math
import os
import re
import select
import signal
import sys
import time

MAX_RESULT_BYTES = 64 << 20


class _Blocker:
    """A meta-path finder that refuses torch and minigrad (a second wall behind the sandbox's view)."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "minigrad"):
            raise ModuleNotFoundError(f"No module named {name!r} (not available while grading)")
        return None


def encode(value, depth=0):
    """Plain JSON for what a harness returns: None, bool, numbers, str, lists, tuples, dicts, arrays."""
    import numpy as np

    if depth > 50:
        raise TypeError("data nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and type(value) is int:
        return value
    if isinstance(value, float) and type(value) is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"array of dtype {array.dtype} cannot be graded")
        flat = [x if math.isfinite(x) else repr(x) for x in array.astype(np.float64).ravel().tolist()] \
            if array.dtype.kind == "f" else array.ravel().tolist()
        return {"__ndarray__": flat, "dtype": array.dtype.str, "shape": list(array.shape),
                "scalar": isinstance(value, np.generic)}
    if type(value) is tuple:
        return {"__tuple__": [encode(v, depth + 1) for v in value]}
    if type(value) is list:
        return [encode(v, depth + 1) for v in value]
    if type(value) is dict:
        return {"__dict__": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    raise TypeError(f"a harness returned a {type(value).__name__}, which is not plain data")


def strip_magics(source: str) -> str:
    """IPython-only lines (%magic, !shell) become `pass`, so plain Python can run the cell."""
    return re.sub(r"^(\s*)[%!].*$", r"\1pass", source, flags=re.M)


def _run_check(check, namespace, seed, timeout):
    """Fork; the child runs the harness and sends its encoded result through a pipe."""
    read_end, write_end = os.pipe()
    for attempt in range(50):  # a fork bomb elsewhere may exhaust processes for a moment
        try:
            pid = os.fork()
            break
        except BlockingIOError:
            time.sleep(0.1)
    else:
        return "crashed", "could not start a process for this check"
    if pid == 0:
        os.close(read_end)
        status = 0
        try:
            os.setpgid(0, 0)
            try:
                data = check.harness(namespace, seed)
                payload = json.dumps({"status": "ok", "data": encode(data)})
            except BaseException as exc:  # noqa: BLE001 - anything student code raises
                payload = json.dumps({"status": "error", "data": f"{type(exc).__name__}: {exc}"})
            view = memoryview(payload.encode())
            while view:
                view = view[os.write(write_end, view[:1 << 16]):]
        except BaseException:  # noqa: BLE001
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    chunks, size, deadline = [], 0, time.monotonic() + timeout
    outcome = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            outcome = ("timeout", f"stopped after {timeout:g} s")
            break
        ready, _, _ = select.select([read_end], [], [], left)
        if not ready:
            continue
        chunk = os.read(read_end, 1 << 16)
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_RESULT_BYTES:
            outcome = ("crashed", "the result was too large")
            break
        chunks.append(chunk)
    os.close(read_end)
    for kill in (os.killpg, os.kill):  # the check's process group: whatever it forked goes too
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass
    _, wait_status = os.waitpid(pid, 0)
    if outcome is not None:
        return outcome
    try:
        record = json.loads(b"".join(chunks))
        return record["status"], record["data"]
    except (ValueError, KeyError, TypeError):
        code = os.waitstatus_to_exitcode(wait_status)
        return "crashed", f"the process running this check ended early (exit status {code})"


def main() -> None:
    job = json.loads(sys.stdin.read())
    out = os.fdopen(os.dup(1), "w")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full file raises an error instead of killing

    def emit(**record):
        out.write(json.dumps(record) + "\n")
        out.flush()

    sys.path[:0] = job["path"]
    sys.meta_path.insert(0, _Blocker())
    from autograder.checks import CHECKS  # the harness halves; their judges need torch, absent here

    checks = CHECKS[job["assignment"]]
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    skip = set(job["skip"])
    for index, source in enumerate(job["cells"]):
        if index in skip:
            continue
        emit(event="cell_start", index=index)
        error = None
        try:
            exec(compile(strip_magics(source), f"<cell {index}>", "exec"), namespace)
        except BaseException as exc:  # noqa: BLE001 - the notebook goes on after an error, as Jupyter
            error = f"{type(exc).__name__}: {exc}"[:2000]
        emit(event="cell_end", index=index, error=error)
    for name in job["checks"]:
        emit(event="check_start", name=name)
        status, data = _run_check(checks[name], namespace, job["seed"], job["check_timeout"])
        emit(event="check", name=name, status=status, data=data)
    emit(event="done")
    out.close()
    os._exit(0)  # no atexit handlers or finalizers a student may have registered


if __name__ == "__main__":
    main()
