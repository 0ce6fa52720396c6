"""minigrad against torch and a hand-written NumPy forward+backward, side by side in one run.

    python benchmarks/bench.py            # everything (about two minutes)
    python benchmarks/bench.py --quick    # fewer repeats, no 1e6 chain

Peers that are not installed are skipped with a note. Every figure is a median of repeats; the
ratios are taken between figures measured in this same run. NumPy's BLAS is held to one thread.
"""
from __future__ import annotations

import os
import sys

# glibc's malloc gives freed memory back to the system and moves its mmap threshold as arrays come
# and go, so whether a peer's MLP step touches fresh pages (a page fault per 4 KiB) depends on what
# the peer before it freed: measured here, hand NumPy's b256 step went from 9.9 to 16.5 ms, with
# 1,648 page faults per step, just by building its model before minigrad's instead of after. Fixed
# thresholds keep every peer's memory in the process after its first steps, whatever the order.
# (The chain-memory children run without them: they measure what is given back.)
_MALLOC = "glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967296"
if sys.platform == "linux" and "GLIBC_TUNABLES" not in os.environ and __name__ == "__main__":
    os.environ["GLIBC_TUNABLES"] = _MALLOC
    os.execv(sys.executable, [sys.executable] + sys.argv)  # the tunables are read at start-up

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before NumPy loads its BLAS
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# -- peers: each gives the same workloads through the same calls ------------------------------------
class Engine:
    """minigrad, torch or mygrad: anything with torch's API."""

    def __init__(self, module, label):
        self.lib, self.label = module, label

    def chain(self, n):
        lib = self.lib
        x = lib.tensor([1.0], requires_grad=True)
        t0 = time.perf_counter()
        y = x
        for _ in range(n):
            y = y * 1.0000001
        t1 = time.perf_counter()
        y.sum().backward()
        t2 = time.perf_counter()
        return (t1 - t0) / n, (t2 - t1) / n

    def descent(self):
        lib = self.lib
        x = lib.tensor(2.0, requires_grad=True)
        for _ in range(100):
            y = x**2 + 3 * x + 1
            y.backward()
            with lib.no_grad():
                x -= 0.1 * x.grad
            x.grad.zero_()
        return float(x.item())

    def mlp(self, sizes, batch):
        lib = self.lib
        rng = np.random.default_rng(0)
        params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            w = lib.tensor((rng.uniform(-1, 1, (fan_in, fan_out)) / np.sqrt(fan_in)).astype(np.float32), requires_grad=True)
            b = lib.tensor(np.zeros(fan_out, np.float32), requires_grad=True)
            params += [w, b]
        x = lib.tensor(rng.standard_normal((batch, sizes[0])).astype(np.float32))
        target = lib.tensor(rng.standard_normal((batch, sizes[-1])).astype(np.float32))

        def step():
            h = x
            for i in range(0, len(params), 2):
                h = h @ params[i] + params[i + 1]
                if i + 2 < len(params):
                    h = h.relu()
            loss = ((h - target) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                for p in params:
                    p -= 0.01 * p.grad
                    p.grad = None
            return loss

        return step


class HandNumPy:
    """The floor for any NumPy engine: the same maths, written out, no graph."""

    label = "numpy (hand)"

    def chain(self, n):
        x = np.ones(1, np.float32)
        c = np.float32(1.0000001)
        t0 = time.perf_counter()
        outs = [x]
        for _ in range(n):
            outs.append(outs[-1] * c)  # keep outputs, as an engine must
        t1 = time.perf_counter()
        g = np.ones(1, np.float32)
        for _ in range(n):
            g = g * c
        t2 = time.perf_counter()
        return (t1 - t0) / n, (t2 - t1) / n

    def descent(self):
        x = np.array(2.0, np.float32)
        for _ in range(100):
            _ = x**2 + 3 * x + 1
            grad = 2 * x + 3
            x -= np.float32(0.1) * grad
        return float(x)

    def mlp(self, sizes, batch):
        rng = np.random.default_rng(0)
        params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            params += [rng.uniform(-1, 1, (fan_in, fan_out)).astype(np.float32) / np.float32(np.sqrt(fan_in)),
                       np.zeros(fan_out, np.float32)]
        x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
        target = rng.standard_normal((batch, sizes[-1])).astype(np.float32)
        layers = len(params) // 2

        def step():
            inputs, pre = [], []
            h = x
            for i in range(layers):
                inputs.append(h)
                h = h @ params[2 * i] + params[2 * i + 1]
                pre.append(h)
                if i + 1 < layers:
                    h = np.maximum(h, 0)
            diff = h - target
            loss = np.mean(diff * diff)
            g = diff * np.float32(2.0 / diff.size)
            for i in reversed(range(layers)):
                if i + 1 < layers:
                    g = g * (pre[i] > 0)
                gw, gb = inputs[i].T @ g, g.sum(0)
                if i:
                    g = g @ params[2 * i].T
                params[2 * i] -= np.float32(0.01) * gw
                params[2 * i + 1] -= np.float32(0.01) * gb
            return loss

        return step


def settle(limit: float = 1.0) -> None:
    """Wait until no thread of this process is running.

    torch's OpenMP workers keep spinning for ~9 ms after each parallel op (measured here: a 256x256
    matmul on 2 threads, then 10-50 ms asleep, cost the process 8.3-9.5 ms of CPU). On this VM a thread
    busy on the other core slows the peer timed next, and Python code far more than BLAS: measured here,
    a process spinning on core 1 took minigrad's b64 step on core 0 from 0.48 to 0.53 ms (once to 0.97)
    and NumPy's from 0.39 to 0.41 ms."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        cpu = time.process_time()  # all threads of the process
        time.sleep(0.005)
        if time.process_time() - cpu < 0.0005:
            return


# -- memory of a long chain, one process per measurement (peak RSS is per process) ---------------------
def rss_mib(field: str = "VmRSS") -> float:
    """Resident memory now (VmRSS) or at its peak (VmHWM). Not ru_maxrss: Linux carries that over
    from the parent through fork and exec, so a child would report the parent's (torch-sized) peak."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def chain_memory_child(peer: str, n: int) -> dict:
    if peer == "numpy":
        x = np.ones(1, np.float32)
        before = rss_mib()
        t0 = time.perf_counter()
        outs = [x]
        for _ in range(n):
            outs.append(outs[-1] * np.float32(1.0000001))
        g = np.ones(1, np.float32)
        for _ in range(n):
            g = g * np.float32(1.0000001)
        seconds = time.perf_counter() - t0
        peak = rss_mib("VmHWM")
        del outs
        after = rss_mib() - before
        return {"seconds": seconds, "peak": peak - before, "kept": after, "after": after, "ok": True}
    lib = importlib.import_module(peer)
    if peer == "torch":
        lib.set_num_threads(1)
    x = lib.tensor([1.0], requires_grad=True)
    before = rss_mib()
    t0 = time.perf_counter()
    y = x
    try:
        for _ in range(n):
            y = y * 1.0000001
        y.sum().backward()
        ok = True
    except RecursionError:
        ok = False
    seconds = time.perf_counter() - t0
    peak = rss_mib("VmHWM")
    kept = rss_mib() - before  # y still references the graph's structure; saved values are gone
    del x, y
    after = rss_mib() - before
    return {"seconds": seconds, "peak": peak - before, "kept": kept, "after": after, "ok": ok}


def chain_alone_child(name: str, n: int) -> dict:
    """Per-node times of the chain in a process that loaded this peer alone, as a learner's would."""
    if name == "numpy":
        peer = HandNumPy()
    else:
        lib = importlib.import_module(name.split("-")[0])
        if name.startswith("torch"):
            lib.set_num_threads(2 if name == "torch-2t" else 1)
        peer = Engine(lib, name)
    peer.chain(n)  # warm
    fwd, bwd = peer.chain(n)
    return {"fwd": fwd, "bwd": bwd}


def _in_child(function: str, *args, env=None) -> dict | None:
    import minigrad

    # the child imports the same minigrad as this process (python -c would look in the cwd first)
    paths = [os.path.dirname(os.path.abspath(__file__)), os.path.dirname(os.path.dirname(minigrad.__file__))]
    code = f"import json, sys; sys.path[:0] = {paths!r}; import bench; " \
           f"print(json.dumps(bench.{function}(*{args!r})))"
    # env None: the child inherits this process's environment
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def chain_memory(peer: str, n: int) -> dict | None:
    env = {k: v for k, v in os.environ.items() if not (k == "GLIBC_TUNABLES" and v == _MALLOC)}
    return _in_child("chain_memory_child", peer, n, env=env)


# -- the report -----------------------------------------------------------------------------------------
def blas_info() -> str:
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - informational only
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and no 1e6-node chain")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7

    peers = []
    notes = []
    import minigrad

    peers.append(("minigrad", Engine(minigrad, "minigrad")))
    try:
        import torch

        peers.append(("torch-1t", Engine(torch, "torch (1 thread)")))
        peers.append(("torch-2t", Engine(torch, "torch (2 threads)")))
    except ImportError:
        torch = None
        notes.append("torch is not installed: skipped")
    try:
        import mygrad

        peers.append(("mygrad", Engine(mygrad, "mygrad")))
    except ImportError:
        notes.append("mygrad is not installed: skipped (optional peer)")
    peers.append(("numpy", HandNumPy()))

    # The one-thread peers run on one core, the same for all: a VM's cores can differ in speed (measured
    # on this one: the same loop 1.6 times slower on one of its two cores than on the other, for minutes
    # on end), and a ratio of figures taken on different cores would measure the cores. Only the main
    # thread is pinned (sched_setaffinity of 0); torch's worker threads, started first, keep every core.
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_setaffinity") else []
    if torch is not None:
        torch.set_num_threads(2)
        torch.ones(256, 256) @ torch.ones(256, 256)  # starts torch's workers, before the pinning

    def threads(name):
        if torch is not None:
            torch.set_num_threads(2 if name == "torch-2t" else 1)
        if len(cores) > 1:
            os.sched_setaffinity(0, cores if name == "torch-2t" else cores[:1])

    def turn(name, measure):
        threads(name)
        result = measure()
        if name == "torch-2t":
            settle()  # its workers spin on after its last parallel op: no one else is timed next to them
        return result

    # Peers take turns at each workload within each repeat: the figures a ratio divides are measured
    # seconds apart, not a whole round apart, so that the machine's drifting speed (and load from other
    # processes) falls on all of them alike. A ratio row is the median of the per-repeat ratios.
    steps = {name: (peer.mlp((784, 128, 10), 64), peer.mlp((784, 512, 512, 10), 256)) for name, peer in peers}
    samples: dict[str, dict[str, list]] = {name: {} for name, _ in peers}

    def chain(name, peer):
        fwd, bwd = peer.chain(20_000)
        return {"node fwd (us)": fwd * 1e6, "node bwd (us)": bwd * 1e6}

    def chain_alone(name, peer):
        alone = _in_child("chain_alone_child", name, 20_000) or {"fwd": float("nan"), "bwd": float("nan")}
        return {"fwd alone (us)": alone["fwd"] * 1e6, "bwd alone (us)": alone["bwd"] * 1e6}

    def descent(name, peer):
        return {"descent (ms)": median_time(peer.descent, 5) * 1e3}

    def mlp(column, which, repeats_per_round):
        def measure(name, peer):
            step = steps[name][which]
            step()  # warm: its caches, not the previous peer's
            return {column: median_time(step, repeats_per_round) * 1e3}
        return measure

    workloads = [chain, chain_alone, descent, mlp("mlp b64 (ms)", 0, 5), mlp("mlp b256 (ms)", 1, 3)]
    for name, _ in peers:
        turn(name, lambda: [step() for step in steps[name]])  # first calls allocate
    for _ in range(repeats):
        for workload in workloads:
            for name, peer in peers:
                for column, value in turn(name, lambda: workload(name, peer)).items():
                    samples[name].setdefault(column, []).append(value)
    threads("torch-1t")
    rows = {name: {c: statistics.median(v) for c, v in cols.items()} for name, cols in samples.items()}

    columns = list(next(iter(rows.values())))
    print(f"python {platform.python_version()}, numpy {np.__version__} (BLAS: {blas_info()}, 1 thread), "
          f"minigrad {minigrad.__version__}" + (f", torch {torch.__version__}" if torch else ""))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; medians of {repeats} rounds, peers "
          "taking turns at each workload (descent: median of 5 loops per round, MLP b64 of 5 steps, "
          "b256 of 3); 'alone': the chain timed again in a process that loaded that peer only")
    if len(cores) > 1:
        print(f"cores: the one-thread peers on core {cores[0]} (each child process too), torch-2t on cores {cores}")
    if os.environ.get("GLIBC_TUNABLES") == _MALLOC:
        print("malloc: fixed mmap and trim thresholds for the timings (see the top of bench.py)")
    for n in notes:
        print("note:", n)
    print()
    print(f"{'':18}" + "".join(f"{c:>16}" for c in columns))
    for name, _ in peers:
        print(f"{name:18}" + "".join(f"{rows[name][c]:16.3f}" for c in columns))
    for base in ("torch-1t", "numpy"):
        if base in rows:
            per_round = [[m / o for m, o in zip(samples["minigrad"][c], samples[base][c])] for c in columns]
            print(f"{'minigrad/' + base:18}" + "".join(f"{statistics.median(r):16.2f}" for r in per_round))
            # the spread the median was taken over: how far one round's ratio can move on this machine
            print(f"{'  rounds, min-max':18}" + "".join(f"{f'{min(r):.2f}-{max(r):.2f}':>16}" for r in per_round))

    print()
    depths = [100_000] if args.quick else [100_000, 1_000_000]
    print("chain memory: growth over the start; 'y kept' is after backward with the output still held, "
          "'freed' after dropping it")
    print(f"{'chain':18}{'depth':>10}{'seconds':>10}{'peak MiB':>10}{'y kept MiB':>11}{'freed MiB':>10}{'ok':>6}")
    for n in depths:
        for peer in ["minigrad", "torch", "numpy"] + (["mygrad"] if any(p == "mygrad" for p, _ in peers) else []):
            if peer == "torch" and torch is None:
                continue
            m = chain_memory(peer, n)
            if m is None:
                print(f"{peer:18}{n:>10}   failed")
                continue
            print(f"{peer:18}{n:>10}{m['seconds']:10.2f}{m['peak']:10.1f}{m['kept']:11.1f}{m['after']:10.1f}{str(m['ok']):>6}")


if __name__ == "__main__":
    main()
