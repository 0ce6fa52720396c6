"""Hooks against torch: what a tensor's hook, a node's pre-hook and a node's post-hook see, in which
order they run, what their return values do, and how a wrong return value is refused. Also the
checks of assigning ``.grad``."""
import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from tests.differential import check  # noqa: E402


def _kinds(values):
    return [None if v is None else tuple(v.shape) for v in values]


# -- what a hook returns -------------------------------------------------------------------------------
# Each returns a replacement for the gradient it was given (or a wrong one); 'node' hooks get a tuple.
TENSOR_HOOK_RESULTS = {
    "scaled": lambda lib, g: g * 10,
    "none keeps": lambda lib, g: None,
    "other shape": lambda lib, g: lib.ones(2),
    "a column": lambda lib, g: g.reshape(3, 1),
    "other dtype": lambda lib, g: g.double(),
    "integers": lambda lib, g: g.long(),
    "a list": lambda lib, g: [1.0, 2.0, 3.0],
    "a number": lambda lib, g: 5.0,
}


@pytest.mark.parametrize("leaf", [True, False], ids=["leaf", "non-leaf"])
@pytest.mark.parametrize("name", sorted(TENSOR_HOOK_RESULTS))
def test_what_a_tensor_hook_returns(name, leaf):
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        target = x if leaf else x * 2
        target.register_hook(lambda g: TENSOR_HOOK_RESULTS[name](lib, g))
        (target * 3).sum().backward()
        return x.grad

    check(scenario)


PRE_HOOK_RESULTS = {
    "scaled": lambda lib, gs: (gs[0] * 10,),
    "none keeps": lambda lib, gs: None,
    "none drops": lambda lib, gs: (None,),
    "two values": lambda lib, gs: (gs[0], gs[0]),
    "a tensor": lambda lib, gs: gs[0],
    "a list": lambda lib, gs: [gs[0] * 3],
    "other shape": lambda lib, gs: (lib.ones(2),),
    "other dtype": lambda lib, gs: (gs[0].double(),),
    "a number": lambda lib, gs: (5.0,),
}


@pytest.mark.parametrize("name", sorted(PRE_HOOK_RESULTS))
def test_what_a_node_pre_hook_returns(name):
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        seen = []
        y = x * 2

        def hook(grads):
            seen.append((type(grads).__name__, _kinds(grads)))
            return PRE_HOOK_RESULTS[name](lib, grads)

        y.grad_fn.register_prehook(hook)
        y.sum().backward()
        return x.grad, seen

    check(scenario)


POST_HOOK_RESULTS = {
    "scaled": lambda lib, gi: (gi[0] * 5, None),
    "none keeps": lambda lib, gi: None,
    "none drops": lambda lib, gi: (None, None),
    "too few": lambda lib, gi: (gi[0] * 5,),
    "a list": lambda lib, gi: [gi[0], None],
    "other shape": lambda lib, gi: (lib.ones(2), None),
    "a number": lambda lib, gi: (5.0, None),
}


@pytest.mark.parametrize("name", sorted(POST_HOOK_RESULTS))
def test_what_a_node_post_hook_returns(name):
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: POST_HOOK_RESULTS[name](lib, grad_inputs))
        y.sum().backward()
        return x.grad

    check(scenario)


# -- what a post-hook sees: the inputs torch lists, not forward's numbers and flags ----------------------
OPS = {
    "x * 2": lambda lib, x, w: x * 2,
    "x + w": lambda lib, x, w: x + w,
    "add(x, w, alpha=2)": lambda lib, x, w: lib.add(x, w, alpha=2),
    "x.sum(0)": lambda lib, x, w: x.sum(0),
    "x.clamp(0, 1)": lambda lib, x, w: x.clamp(0, 1),
    "x @ w": lambda lib, x, w: x @ w,
    "where": lambda lib, x, w: lib.where(x > 1, x, w),
    "x.max(0)": lambda lib, x, w: x.max(0).values,
    "mse_loss": lambda lib, x, w: lib.nn.functional.mse_loss(x, w),
    "x ** 2": lambda lib, x, w: x**2,
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_what_a_node_post_hook_sees(name):
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = lib.tensor([0.5, 1.5, 2.5], requires_grad=True)
        y = OPS[name](lib, x, w)
        seen = []
        y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append(
            (type(grad_inputs).__name__, _kinds(grad_inputs), _kinds(grad_outputs))))
        y.sum().backward()
        return seen, x.grad, w.grad

    check(scenario)


def test_hooks_run_in_torchs_order():
    # the output tensor's hooks, then retain_grad's copy, then the node's own pre-hooks, whatever order
    # they were registered in
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        log = []
        y.grad_fn.register_prehook(lambda gs: log.append("node"))
        y.register_hook(lambda g: log.append("tensor"))
        y.retain_grad()
        y.grad_fn.register_prehook(lambda gs: (gs[0] * 100,))
        y.register_hook(lambda g: g + 1)
        y.sum().backward()
        return log, y.grad, x.grad

    check(scenario)


def test_hook_names_in_messages():
    class Hook:
        def __call__(self, g):
            return g[:1]

    def named(g):
        return g[:1]

    def scenario(lib, hook):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.register_hook(hook)
        y.sum().backward()

    check(lambda lib: scenario(lib, named))
    check(lambda lib: scenario(lib, Hook()))


# -- assigning .grad ---------------------------------------------------------------------------------------
GRADS = {
    "float64 to float32": ("float32", lambda lib: lib.ones(3, dtype=lib.float64)),
    "int64 to float32": ("float32", lambda lib: lib.ones(3, dtype=lib.int64)),
    "float32 to float64": ("float64", lambda lib: lib.ones(3)),
    "float16 to float64": ("float64", lambda lib: lib.ones(3, dtype=lib.float16)),
    "bool to float32": ("float32", lambda lib: lib.ones(3, dtype=lib.bool)),
    "wrong size and dtype": ("float32", lambda lib: lib.ones(2, dtype=lib.float64)),
}
# torch goes on about its grad_dtype attribute, which minigrad does not have: its message keeps the
# two sentences before that, then says what to do instead
GRAD_DTYPE_SENTENCES = "(defaults to the tensor's dtype)."


@pytest.mark.parametrize("name", sorted(GRADS))
def test_assigning_a_grad_of_another_dtype(name):
    import minigrad
    from tests.conftest import normalise

    dtype, make = GRADS[name]
    messages = {}
    for lib in (minigrad, torch):
        x = lib.ones(3, dtype=getattr(lib, dtype), requires_grad=True)
        with pytest.raises(RuntimeError) as raised:
            x.grad = make(lib)
        messages[lib.__name__] = normalise(str(raised.value))
    mine, theirs = messages["minigrad"], messages["torch"]
    kept = theirs[: theirs.index(GRAD_DTYPE_SENTENCES) + len(GRAD_DTYPE_SENTENCES)]
    assert mine.startswith(kept) and len(mine) > len(kept), f"\nminigrad: {mine}\ntorch:    {theirs}"


@pytest.mark.parametrize("make", [lambda lib: lib.ones(2), lambda lib: lib.ones(3), lambda lib: None,
                                  lambda lib: [1.0, 2.0, 3.0]], ids=["wrong size", "fits", "None", "a list"])
def test_assigning_grad(make):
    def scenario(lib):
        x = lib.ones(3, requires_grad=True)
        x.grad = make(lib)
        return x.grad

    check(scenario)
