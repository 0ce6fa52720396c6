"""Parameter: a Tensor that a Module treats as one of its learnable weights."""
import minigrad


class Parameter(minigrad.Tensor):
    """A leaf Tensor (requires_grad=True by default) that registers itself when assigned to a Module.

    It shares storage with `data`, exactly like `torch.nn.Parameter`.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = minigrad.empty(0)
        return minigrad.Tensor._make_subclass(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        # _make_subclass has already built the tensor; Tensor.__init__ must not rebuild it.
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (Parameter, (self.data, self.requires_grad))
