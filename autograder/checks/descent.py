"""Checks for `descent`: SGD and Adam against torch.optim, `minimize` and `fit` against torch loops.

Optimizer checks set `.grad` of each parameter by hand (drawn from the seed) before every `step()`,
so they grade the update rule alone; one parameter has no gradient in one step, which torch skips.
`minimize` and `fit` are graded with a known-good SGD in place, in case the student's uses theirs.
"""
from __future__ import annotations

import numpy as np

from ._core import (Check, as_array, compare, describe_error, guarded, is_error, student,
                    substituted, torch_float64, verdict)

ASSIGNMENT = "descent"
SHAPES = [(3,), (2, 2), ()]
STEPS = 6
ZERO_GRAD_CLASSES = ("SGD", "Adam")


class ReferenceSGD:
    """torch.optim.SGD's update (dampening 0), used while grading minimize and fit."""

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
        self.params, self.lr, self.momentum = list(params), lr, momentum
        self.weight_decay, self.nesterov, self.buffers = weight_decay, nesterov, {}

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        for p in self.params:
            if p.grad is None:
                continue
            d = p.grad + self.weight_decay * p.data if self.weight_decay else p.grad
            if self.momentum:
                buf = self.buffers.get(id(p))
                buf = d.copy() if buf is None else self.momentum * buf + d
                self.buffers[id(p)] = buf
                d = d + self.momentum * buf if self.nesterov else buf
            p.data -= self.lr * d


def _problem(rng: np.random.Generator):
    inits = [rng.normal(size=s) for s in SHAPES]
    grads = [[rng.normal(size=s) for s in SHAPES] for _ in range(STEPS)]
    grads[2][1] = None  # torch skips a parameter whose .grad is None
    return inits, grads


def _optimizer_check(name, points, cls, configs, description):
    def harness(namespace, seed):
        rng = np.random.default_rng(seed)
        results = []
        for kwargs in configs:
            inits, grads = _problem(rng)

            def case(inits=inits, grads=grads, kwargs=kwargs):
                tensor = student(namespace, "Tensor")
                params = [tensor(x.copy(), requires_grad=True) for x in inits]
                opt = student(namespace, cls)(params, **kwargs)
                trajectory = []
                for step_grads in grads:
                    for p, g in zip(params, step_grads):
                        p.grad = None if g is None else g.copy()
                    opt.step()
                    trajectory.append([as_array(p.data) for p in params])
                return trajectory

            results.append(guarded(case))
        return results

    def judge(data, seed):
        import torch

        rng = np.random.default_rng(seed)
        failures = []
        for kwargs, got in zip(configs, data, strict=True):
            inits, grads = _problem(rng)
            params = [torch_float64(x, True) for x in inits]
            opt = getattr(torch.optim, cls)(params, **kwargs)
            call = f"{cls}(params, {', '.join(f'{k}={v}' for k, v in kwargs.items())})"
            if is_error(got):
                failures.append(f"{call}: {describe_error(got)}.")
                continue
            for step, step_grads in enumerate(grads):
                before = [p.detach().numpy().copy() for p in params]
                for p, g in zip(params, step_grads):
                    p.grad = None if g is None else torch_float64(g)
                opt.step()
                found = [_step_failure(f"{call}, parameter {i} after step {step + 1}", b,
                                       p.detach().numpy(), q)
                         for i, (b, p, q) in enumerate(zip(before, params, got[step], strict=True))]
                found = [f for f in found if f]
                if found:
                    if step == 2 and any("parameter 1" in f for f in found):
                        found[0] += " (In step 3 parameter 1 has .grad None: skip it, as torch.)"
                    failures.extend(found)
                    break
        return verdict(points, failures, f"{description}: same parameters as torch.optim.{cls}")

    return Check(ASSIGNMENT, name, points, description, harness, judge)


def _step_failure(label, before, expected, got):
    """compare() of the parameter, with a hint read from the update itself (got - before)."""
    failure = compare(label, expected, got, rtol=1e-9, atol=1e-12)
    if failure is None or is_error(got) or np.shape(got) != np.shape(expected):
        return failure
    wanted, made = expected - before, np.asarray(got) - before
    if np.any(wanted) and np.allclose(made, -wanted, rtol=1e-6, atol=1e-12):
        failure += " Hint: the update has the wrong sign: step against the gradient (p -= lr * d)."
    elif np.any(wanted) and not np.any(made):
        failure += " Hint: the parameter did not move: update p.data in place."
    return failure


def _zero_grad_problem(rng: np.random.Generator):
    """A random number of parameters, some with a gradient and some without (drawn from the seed)."""
    count = int(rng.integers(3, 12))
    inits = [rng.normal(size=SHAPES[i % len(SHAPES)]) for i in range(count)]
    grads = [rng.normal(size=x.shape) if rng.random() < 0.7 else None for x in inits]
    return inits, grads


def _zero_grad_harness(namespace, seed):
    inits, grads = _zero_grad_problem(np.random.default_rng(seed))
    results = {}
    for cls in ZERO_GRAD_CLASSES:
        def case(cls=cls):
            tensor = student(namespace, "Tensor")
            params = [tensor(x.copy(), requires_grad=True) for x in inits]
            for p, g in zip(params, grads):
                p.grad = None if g is None else g.copy()
            student(namespace, cls)(params, lr=0.1).zero_grad()
            return ["None" if p.grad is None else "array" for p in params]

        results[cls] = guarded(case)
    return results


def _zero_grad_judge(data, seed):
    import torch

    inits, grads = _zero_grad_problem(np.random.default_rng(seed))
    failures = []
    for cls in ZERO_GRAD_CLASSES:  # the expected classes, never the keys the data happens to have
        got = data.get(cls, {"error": "no result"}) if isinstance(data, dict) else data
        params = [torch_float64(x, True) for x in inits]
        for p, g in zip(params, grads):
            p.grad = None if g is None else torch_float64(g)
        getattr(torch.optim, cls)(params, lr=0.1).zero_grad()
        want = ["None" if p.grad is None else "array" for p in params]
        if is_error(got):
            failures.append(f"{cls}.zero_grad(): {describe_error(got)}.")
        elif got != want:
            failures.append(f"{cls}.zero_grad(): .grad afterwards is {got}, torch's is {want}."
                            " Hint: since torch 2.0 zero_grad sets .grad to None (set_to_none=True).")
    return verdict(1, failures, "zero_grad sets every .grad to None, as torch")


# minimize --------------------------------------------------------------------------------------

def _objective(kind, params, const):
    """The function to minimise, written with operators every engine has."""
    if kind == "quadratic":
        a, b, c = params
        return lambda x: a * x**2 + b * x + c
    if kind == "quartic":
        return lambda x: 0.25 * x**4 - x**2 + params[0] * x
    target, weight = const(params[0]), const(params[1])
    return lambda x: ((x - target) ** 2 * weight).sum()


def _minimize_cases(rng):
    return [
        ("quadratic", (1.0, 3.0, 1.0), 2.0, 0.1, 100),  # the tutorial's 4.1
        ("quadratic", tuple(float(v) for v in (rng.uniform(0.5, 2), rng.normal(), rng.normal())),
         float(rng.normal()), 0.1, 30),
        ("quartic", (float(rng.uniform(-0.5, 0.5)),), float(rng.uniform(0.5, 2)), 0.05, 50),
        ("bowl", (rng.normal(size=3), rng.uniform(0.5, 2, size=3)), rng.normal(size=3), 0.05, 40),
    ]


def _minimize_harness(namespace, seed):
    rng = np.random.default_rng(seed)
    results = []
    for kind, params, x0, lr, steps in _minimize_cases(rng):
        def case(kind=kind, params=params, x0=x0, lr=lr, steps=steps):
            tensor = student(namespace, "Tensor")
            f = _objective(kind, params, lambda a: tensor(np.array(a)))
            with substituted(namespace, "SGD", ReferenceSGD):
                start = x0.copy() if isinstance(x0, np.ndarray) else x0
                return as_array(student(namespace, "minimize")(f, start, lr, steps))

        results.append(guarded(case))
    return results


def _minimize_judge(data, seed):
    import torch

    rng = np.random.default_rng(seed)
    failures = []
    for (kind, params, x0, lr, steps), got in zip(_minimize_cases(rng), data, strict=True):
        f = _objective(kind, params, torch_float64)
        x = torch_float64(x0, True)
        trajectory = [x.detach().numpy().copy()]
        for _ in range(steps):
            f(x).backward()
            with torch.no_grad():
                x -= lr * x.grad
            x.grad.zero_()
            trajectory.append(x.detach().numpy().copy())
        label = f"minimize({kind} f, x0 of shape {np.shape(x0)}, lr={lr}, steps={steps})"
        failure = compare(label + " trajectory", np.array(trajectory), got, rtol=1e-9, atol=1e-12)
        if failure and not is_error(got) and np.shape(got) == (steps,) + np.shape(x0):
            failure += " Hint: the trajectory has steps + 1 entries: x0 first, then x after each step."
        failures.append(failure)
    return verdict(2, failures, "minimize: the same trajectory as a torch loop")


# fit -----------------------------------------------------------------------------------------

def _fit_cases(rng):
    cases = []
    for degree, steps in ((1, 200), (3, 400)):
        xs = rng.uniform(-1, 1, size=24)
        ys = np.polynomial.polynomial.polyval(xs, rng.normal(size=degree + 1))
        cases.append((xs, ys + 0.05 * rng.normal(size=24), degree, steps, 0.1))
    return cases


def _fit_harness(namespace, seed):
    rng = np.random.default_rng(seed)
    results = []
    for xs, ys, degree, steps, lr in _fit_cases(rng):
        def case(xs=xs, ys=ys, degree=degree, steps=steps, lr=lr):
            with substituted(namespace, "SGD", ReferenceSGD):
                return as_array(student(namespace, "fit")(xs.copy(), ys.copy(), degree, steps, lr))

        results.append(guarded(case))
    return results


def _fit_judge(data, seed):
    import torch

    rng = np.random.default_rng(seed)
    failures = []
    for (xs, ys, degree, steps, lr), got in zip(_fit_cases(rng), data, strict=True):
        features = torch_float64(np.stack([xs**k for k in range(degree + 1)], axis=1))
        target = torch_float64(ys)
        w = torch.zeros(degree + 1, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([w], lr=lr)
        for _ in range(steps):
            opt.zero_grad()
            ((features @ w - target) ** 2).mean().backward()
            opt.step()
        expected = w.detach().numpy()
        label = f"fit(24 points, degree={degree}, steps={steps}, lr={lr}) coefficients"
        failure = compare(label, expected, got, rtol=1e-7, atol=1e-10)
        if failure and not is_error(got) and np.shape(got) == expected.shape and np.allclose(
                got, expected[::-1], rtol=1e-7, atol=1e-10):
            failure += " Hint: reversed: return the constant term first (w[k] multiplies x**k)."
        failures.append(failure)
    return verdict(2, failures, "fit: the same coefficients as torch.optim.SGD on the mean squared error")


CHECKS = [
    _optimizer_check("sgd_plain", 2, "SGD", [{"lr": 0.1}, {"lr": 0.03}], "plain SGD"),
    _optimizer_check("sgd_momentum", 2, "SGD", [{"lr": 0.1, "momentum": 0.9},
                                                {"lr": 0.05, "momentum": 0.5}], "SGD with momentum"),
    _optimizer_check("sgd_weight_decay", 1, "SGD", [{"lr": 0.1, "weight_decay": 0.1}],
                     "SGD with weight decay"),
    _optimizer_check("sgd_nesterov", 1, "SGD", [{"lr": 0.1, "momentum": 0.9, "nesterov": True}],
                     "SGD with Nesterov momentum"),
    _optimizer_check("adam", 3, "Adam", [{"lr": 0.01},
                                         {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-6}], "Adam"),
    _optimizer_check("adam_weight_decay", 1, "Adam", [{"lr": 0.01, "weight_decay": 0.1}],
                     "Adam with weight decay"),
    Check(ASSIGNMENT, "zero_grad", 1, "zero_grad sets .grad to None", _zero_grad_harness,
          _zero_grad_judge),
    Check(ASSIGNMENT, "minimize", 2, "gradient descent trajectory (the tutorial's 4.1)",
          _minimize_harness, _minimize_judge),
    Check(ASSIGNMENT, "fit", 2, "fit polynomial coefficients to data (the real 4.2)",
          _fit_harness, _fit_judge),
]
