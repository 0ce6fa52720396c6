"""`minigrad-demo`: the autograd tutorial's examples, run on minigrad, section by section.

Every number printed here is computed by the engine; nothing is typed in. Where the original
tutorial is wrong (detach, several outputs) the demo shows what really happens.
Run it with ``minigrad-demo`` or ``python -m minigrad.demo``.
"""
from __future__ import annotations

import textwrap
import warnings

import numpy as np

import minigrad
import minigrad.autograd
import minigrad.optim


def _fmt(t) -> str:
    """A tensor's values as a short plain list (or number), rounded for reading."""
    values = t.tolist()
    if isinstance(values, list):
        return "[" + ", ".join(f"{v:.4g}" for v in values) + "]"
    return f"{values:.4g}"


def _section(title: str) -> None:
    print()
    print(title)
    print("-" * len(title))


def _error(exc: Exception) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return textwrap.fill(text, width=96, initial_indent="    ", subsequent_indent="      ")


def scalar_gradient() -> None:
    _section("1. Scalar gradient: y = x**2 + 3*x + 1 at x = 2")
    x = minigrad.tensor(2.0, requires_grad=True)
    y = x**2 + 3 * x + 1
    y.backward()
    print(f"  x.grad = {_fmt(x.grad)}      (dy/dx = 2x + 3)")


def vector_gradient() -> None:
    _section("2. Vector gradient: y = x**2 at x = [2, 3], y.backward(tensor([1., 1.]))")
    x = minigrad.tensor([2.0, 3.0], requires_grad=True)
    y = x**2
    y.backward(minigrad.tensor([1.0, 1.0]))
    print(f"  x.grad = {_fmt(x.grad)}      (2x, weighted by the vector [1, 1])")


def sum_of_terms() -> None:
    _section("3. Sum of scalar terms: (x0**2 + 3*x0 + 1) + (x1**3 + 2*x1 - 5) at x = [2, 3]")
    x = minigrad.tensor([2.0, 3.0], requires_grad=True)
    y1 = x[0] ** 2 + 3 * x[0] + 1
    y2 = x[1] ** 3 + 2 * x[1] - 5
    (y1 + y2).backward()
    print(f"  x.grad = {_fmt(x.grad)}      (2*x0 + 3, 3*x1**2 + 2)")


def leaves() -> None:
    _section("4. Leaves and non-leaves: x = tensor([1., 2., 3.], requires_grad=True); y = x**2; z = y.sum()")
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x**2
    z = y.sum()
    z.backward()
    print(f"  {'tensor':<7} {'is_leaf':<8} {'requires_grad':<14} {'grad_fn':<14} .grad after z.backward()")
    for name, t in (("x", x), ("y", y), ("z", z)):
        with warnings.catch_warnings():
            # Reading a non-leaf's .grad warns (it is never filled in); here that is the point.
            warnings.simplefilter("ignore")
            grad = t.grad
        fn = t.grad_fn.name() if t.grad_fn is not None else "None"
        shown = _fmt(grad) if grad is not None else "None"
        print(f"  {name:<7} {t.is_leaf!s:<8} {t.requires_grad!s:<14} {fn:<14} {shown}")
    print("  Only leaves keep .grad (a non-leaf keeps it after .retain_grad()).")
    print(f"  backward() frees the graph's saved buffers, not the tensors: y is still {_fmt(y)}, but")
    try:
        z.backward()
    except RuntimeError as exc:
        print("  a second z.backward() raises")
        print(_error(exc))
    x.grad = None
    z = (x**2).sum()
    z.backward(retain_graph=True)
    z.backward()
    print(f"  With z.backward(retain_graph=True) first, a second backward works and adds: x.grad = {_fmt(x.grad)}")


def detach_shares_storage() -> None:
    _section("5. detach() shares storage (the tutorial gets this wrong)")
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.detach()
    y += 1
    print("  x = tensor([1., 2., 3.], requires_grad=True); y = x.detach(); y += 1")
    print("  the tutorial says x is still [1, 2, 3]")
    print(f"  in fact           x = {_fmt(x)}, y = {_fmt(y)}   (same numbers in memory)")
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.detach().clone()
    y += 1
    print(f"  x.detach().clone() gives an independent copy: x = {_fmt(x)}, y = {_fmt(y)}")


def several_outputs() -> None:
    _section("6. Several outputs: y1 = x0**2 + 3*x0, y2 = x1**3 + 2*x1 at x = [1, 2]")
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y1 = x[0] ** 2 + 3 * x[0]
    print("  the tutorial's way, y1.backward(tensor([1., 1.])), fails: y1 is a scalar")
    try:
        y1.backward(minigrad.tensor([1.0, 1.0]))
    except RuntimeError as exc:
        print(_error(exc))
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y1 = x[0] ** 2 + 3 * x[0]
    y2 = x[1] ** 3 + 2 * x[1]
    g1, g2 = minigrad.tensor(1.0), minigrad.tensor(1.0)
    minigrad.autograd.backward([y1, y2], [g1, g2])
    print("  done right: minigrad.autograd.backward([y1, y2], [tensor(1.), tensor(1.)])")
    print(f"  x.grad = {_fmt(x.grad)}      (2*x0 + 3, 3*x1**2 + 2)")


def grad_mode_and_accumulation() -> None:
    _section("7. Switching gradients off, accumulation, zeroing")
    x = minigrad.tensor(2.0, requires_grad=True)
    with minigrad.no_grad():
        y = x * 2
    print(f"  inside no_grad():               y.requires_grad = {y.requires_grad}, y.grad_fn = {y.grad_fn}")
    with minigrad.set_grad_enabled(False):
        y = x * 2
    print(f"  inside set_grad_enabled(False): y.requires_grad = {y.requires_grad}")
    (x**2 + 3 * x + 1).backward()
    first = _fmt(x.grad)
    (x**2 + 3 * x + 1).backward()
    print(f"  two backward() calls add up:    x.grad = {first}, then {_fmt(x.grad)}")
    x.grad.zero_()
    print(f"  x.grad.zero_() resets it:       x.grad = {_fmt(x.grad)}")


def descent() -> None:
    _section("8. Minimum of x**2 + 3*x + 1 by gradient descent (100 steps, lr 0.1, from x = 2.0)")
    x = minigrad.tensor(2.0, requires_grad=True)
    for _ in range(100):
        y = x**2 + 3 * x + 1
        y.backward()
        with minigrad.no_grad():
            x -= 0.1 * x.grad
        x.grad.zero_()
    print(f"  x = {x.item():.4f}      (exact minimum at x = -1.5)")

    x = minigrad.tensor(3.0, requires_grad=True)
    for _ in range(100):
        y = x**2 - 4 * x + 3
        y.backward()
        x.data -= 0.1 * x.grad
        x.grad.zero_()
    print(f"  the same on x**2 - 4*x + 3 from 3.0, updating x.data: x = {x.item():.4f}   (exact: 2)")


def quadratic_fit() -> None:
    true = (2.0, -3.0, 0.5)
    steps = 300
    _section(f"9. A real fit: learn a, b, c of y = a*x**2 + b*x + c from 200 noisy points (Adam, {steps} steps)")
    minigrad.manual_seed(0)
    x = minigrad.linspace(-2.0, 2.0, 200)
    features = minigrad.stack([x**2, x, minigrad.ones_like(x)], dim=1)
    y = features @ minigrad.tensor(true) + 0.3 * minigrad.randn(200)

    coef = minigrad.zeros(3, requires_grad=True)
    opt = minigrad.optim.Adam([coef], lr=0.1)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((features @ coef - y) ** 2).mean()
        loss.backward()
        opt.step()

    exact, *_ = np.linalg.lstsq(features.numpy().astype(np.float64), y.numpy().astype(np.float64), rcond=None)
    print(f"  {'':<15} {'a':>8} {'b':>8} {'c':>8}")
    rows = (("true", true), ("learned", coef.tolist()), ("least squares", exact.tolist()))
    for name, (a, b, c) in rows:
        print(f"  {name:<15} {a:>8.4f} {b:>8.4f} {c:>8.4f}")
    print(f"  final mean squared error {loss.item():.4f} (noise variance 0.09); "
          f"learned and least squares agree to {np.abs(np.array(coef.tolist()) - exact).max():.1e}")


def main() -> int:
    print("minigrad demo: the autograd tutorial's examples, computed by minigrad")
    scalar_gradient()
    vector_gradient()
    sum_of_terms()
    leaves()
    detach_shares_storage()
    several_outputs()
    grad_mode_and_accumulation()
    descent()
    quadratic_fit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
