"""Optimizer: the base class that holds parameter groups and per-parameter state."""
import warnings
from collections import defaultdict
from copy import deepcopy
from itertools import chain

import minigrad
from ..nn.modules.module import _typename


class Optimizer:
    """Holds `param_groups` (a list of dicts: 'params' plus the hyper-parameters for those params)
    and `state` (a dict from parameter to its buffers). Subclasses implement `step()`.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, minigrad.Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors "
                            f"or dicts, but got {_typename(params)}. Pass model.parameters() or a "
                            "list such as [w, b].")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list. model.parameters() is a "
                             "generator: it is empty the second time you iterate over it.")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def add_param_group(self, param_group):
        """Add a dict {'params': [...], 'lr': ...}; options it leaves out take the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}. "
                            "Write {'params': [...], 'lr': ...}.")
        params = param_group["params"]
        if isinstance(params, minigrad.Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but "
                            "the ordering of tensors in sets will change between runs. Please use a "
                            "list instead. A list keeps each parameter paired with its state in a "
                            "fixed order.")
        else:
            param_group["params"] = list(params)

        for param in param_group["params"]:
            if not isinstance(param, minigrad.Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                f"{_typename(param)}. Pass the tensors themselves.")
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor. An optimizer updates tensors "
                                 "you created (leaves); pass those, not results computed from them.")

        for name, default in self.defaults.items():
            param_group.setdefault(name, default)

        params = param_group["params"]
        if len(params) != len({id(p) for p in params}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; "
                          "see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)

        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group. "
                             "Each tensor may belong to one group only.")
        self.param_groups.append(param_group)

    @staticmethod
    def _evaluate(closure):
        """step(closure): compute the loss again, with grad mode on, before the update (None: no closure)."""
        if closure is None:
            return None
        with minigrad.enable_grad():
            return closure()

    def zero_grad(self, set_to_none=True):
        """Forget every parameter's gradient (backward() adds to .grad rather than overwriting)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        if p.grad.grad_fn is not None:
                            p.grad.detach_()
                        else:
                            p.grad.requires_grad_(False)
                        p.grad.zero_()

    def step(self, closure=None):
        raise NotImplementedError(f"{type(self).__name__} does not implement step(). "
                                  "Subclasses of Optimizer define the update rule in step().")

    def state_dict(self):
        """{'state': {index: buffers}, 'param_groups': [options with 'params' as indices]}."""
        index_of = {}
        start = 0

        def pack_group(group):
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index_of.setdefault(id(p), i)
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {index_of[id(k)] if isinstance(k, minigrad.Tensor) else k: v
                        for k, v in self.state.items()}
        return {"state": packed_state, "param_groups": param_groups}

    def load_state_dict(self, state_dict):
        """Restore options and buffers saved by state_dict() into this optimizer's parameters."""
        state_dict = state_dict.copy()
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups. "
                             "Build the optimizer with the same groups as the one that was saved.")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the "
                             "size of optimizer's group. Build the optimizer with the same "
                             "parameters as the one that was saved.")
        param_of = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                            chain.from_iterable(g["params"] for g in groups)))

        def cast(param, value, key=None):
            # As in torch, tensors are not copied (only converted to the parameter's dtype), so the
            # loaded state shares storage with `state_dict`: deepcopy the dict first to avoid that.
            if isinstance(value, minigrad.Tensor):
                if key != "step" and param.is_floating_point():
                    value = value.to(param.dtype)
                return value
            if isinstance(value, dict):
                return {k: cast(param, v, key=k) for k, v in value.items()}
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in param_of:
                state[param_of[k]] = cast(param_of[k], v)
            else:
                state[k] = v
        self.state = state
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            new_groups.append(saved)
        self.param_groups = new_groups

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
