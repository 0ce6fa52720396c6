"""Module: the base class of every layer.

Assigning a Parameter or a Module to an attribute registers it (see `__setattr__`), which is how
`parameters()`, `state_dict()` and `repr()` find every weight of a network without being told.
"""
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import minigrad
from ..._device import is_cpu
from ..._tensor import _type_name as _tensor_type_name
from ..parameter import Parameter


def _typename(obj):
    """torch.typename: 'minigrad.FloatTensor' for a float32 tensor, 'int' for 3, ..."""
    if isinstance(obj, minigrad.Tensor):
        return _tensor_type_name(obj)
    cls = obj if isinstance(obj, type) else type(obj)
    module = cls.__module__ or ""
    if module in ("", "builtins"):
        return cls.__qualname__
    return f"{module}.{cls.__qualname__}"


def _addindent(text, num_spaces):
    """Indent every line of `text` except the first (for nested module reprs)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    first = lines.pop(0)
    return "\n".join([first] + [" " * num_spaces + line for line in lines])


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class Module:
    """Base class for all layers. Subclasses call `super().__init__()` and define `forward`."""

    def __init__(self):
        # object.__setattr__: these dicts must exist before our own __setattr__ can use them.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", {})

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" '
                                  "function. Define forward(self, ...) in your Module subclass.")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ registration

    def register_parameter(self, name, param):
        """Add a Parameter (or None, a placeholder) under `name`."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call. "
                                 "Call super().__init__() first in your __init__.")
        self._check_member_name("parameter", name, self._parameters)
        if param is None:
            self._parameters[name] = None
        elif not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(minigrad.nn.Parameter or None required). "
                            "Wrap the tensor: nn.Parameter(tensor).")
        elif param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters "
                             f"must be created explicitly. To express '{name}' as a function of another "
                             "Tensor, compute the value in the forward() method.")
        else:
            self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Add a tensor that is state but not learnable (it goes into state_dict if persistent)."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call. "
                                 "Call super().__init__() first in your __init__.")
        self._check_member_name("buffer", name, self._buffers)
        if tensor is not None and not isinstance(tensor, minigrad.Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required). Buffers hold tensors only.")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name, module):
        """Add a child module under `name` (what `self.name = module` does)."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass. "
                            "Only nn.Module instances (or None) can be children.")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}. "
                            "Names become attribute names and state_dict keys.")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists. Pick a name that is not yet "
                           "an attribute of the module.")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}. '
                           "Dots separate nesting levels in parameter names.")
        if name == "":
            raise KeyError('module name can\'t be empty string "". '
                           "Names become attribute names and state_dict keys.")
        self._modules[name] = module

    register_module = add_module

    def _check_member_name(self, kind, name, registry):
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}. "
                            "Names become attribute names and state_dict keys.")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "." '
                           "Dots separate nesting levels in parameter names.")
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string "". '
                           "Names become attribute names and state_dict keys.")
        if hasattr(self, name) and name not in registry:
            raise KeyError(f"attribute '{name}' already exists. Pick a name that is not yet "
                           "an attribute of the module.")

    def __setattr__(self, name, value):
        def remove_from(*containers):
            for container in containers:
                if name in container:
                    if isinstance(container, dict):
                        del container[name]
                    else:
                        container.discard(name)

        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call. "
                                     "Call super().__init__() first in your __init__.")
            remove_from(self.__dict__, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(minigrad.nn.Parameter or None expected). To change a parameter's "
                                "values, use `with no_grad(): module.name.copy_(tensor)`.")
            self.register_parameter(name, value)
        else:
            modules = self.__dict__.get("_modules")
            if isinstance(value, Module):
                if modules is None:
                    raise AttributeError("cannot assign module before Module.__init__() call. "
                                         "Call super().__init__() first in your __init__.")
                remove_from(self.__dict__, self._parameters, self._buffers,
                            self._non_persistent_buffers_set)
                modules[name] = value
            elif modules is not None and name in modules:
                if value is not None:
                    raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                    "(minigrad.nn.Module or None expected). Delete the child first "
                                    "if you want a plain attribute with that name.")
                modules[name] = value
            else:
                buffers = self.__dict__.get("_buffers")
                if buffers is not None and name in buffers:
                    if value is not None and not isinstance(value, minigrad.Tensor):
                        raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                        "(minigrad.nn.Buffer, minigrad.Tensor or None expected). "
                                        "Buffers hold tensors only.")
                    buffers[name] = value
                else:
                    object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # Only called when normal lookup fails: registered members live in the three dicts.
        for registry in ("_parameters", "_buffers", "_modules"):
            members = self.__dict__.get(registry)
            if members is not None and name in members:
                return members[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'. "
                             "Parameters, buffers and submodules are found under the name "
                             "they were assigned to.")

    def __delattr__(self, name):
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        keys = list(object.__dir__(self)) + list(self._parameters) + list(self._modules) \
            + list(self._buffers)
        return sorted(key for key in set(keys) if not key[0].isdigit())

    # ------------------------------------------------------------------ traversal

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """Yield (name, module) for this module and every descendant, depth first."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            submodule_prefix = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, submodule_prefix, remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        """Yield (name, module) for the direct children only."""
        memo = set()
        for name, module in self._modules.items():
            if module is not None and module not in memo:
                memo.add(module)
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, get_members, prefix="", recurse=True, remove_duplicate=True):
        # A tensor shared by two modules is reported once, under its first name.
        seen = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        for module_prefix, module in modules:
            for name, member in get_members(module):
                if member is None or id(member) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(member))
                yield module_prefix + ("." if module_prefix else "") + name, member

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """Yield ('layer.weight', Parameter) pairs: own parameters first, then each child's."""
        yield from self._named_members(lambda module: module._parameters.items(), prefix=prefix,
                                       recurse=recurse, remove_duplicate=remove_duplicate)

    def parameters(self, recurse=True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members(lambda module: module._buffers.items(), prefix=prefix,
                                       recurse=recurse, remove_duplicate=remove_duplicate)

    def buffers(self, recurse=True):
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def get_submodule(self, target):
        """The descendant at dotted path `target` ('' is self)."""
        module = self
        if target == "":
            return module
        for item in target.split("."):
            if not hasattr(module, item):
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`. "
                                     "Check the dotted path against named_modules().")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError(f"`{item}` is not an nn.Module. "
                                     "Every step of the dotted path must name a submodule.")
        return module

    def apply(self, fn):
        """Call fn on every submodule (children first) and then on self; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes and gradients

    def train(self, mode=True):
        """Set training mode (affects layers such as Dropout) on self and every descendant."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean. Call train(True) or train(False).")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Forget the gradients of all parameters (backward() adds to .grad rather than overwriting)."""
        for param in self.parameters():
            if param.grad is not None:
                if set_to_none:
                    param.grad = None
                else:
                    if param.grad.grad_fn is not None:
                        param.grad.detach_()
                    else:
                        param.grad.requires_grad_(False)
                    param.grad.zero_()

    # ------------------------------------------------------------------ dtype conversion

    def _apply(self, fn):
        for module in self.children():
            module._apply(fn)
        for param in self._parameters.values():
            if param is not None:
                with minigrad.no_grad():
                    param.data = fn(param.data)
                    if param.grad is not None:
                        param.grad = fn(param.grad)
        for name, buf in self._buffers.items():
            if buf is not None:
                self._buffers[name] = fn(buf)
        return self

    def to(self, *args, **kwargs):
        """to(dtype) converts floating point parameters and buffers; devices other than 'cpu' are not supported."""
        dtype = kwargs.get("dtype")
        for arg in args + (kwargs.get("device"),):
            if isinstance(arg, minigrad.Tensor):
                dtype = arg.dtype
            elif arg is None or isinstance(arg, (str, minigrad.device)):  # a device: minigrad has the CPU only
                if not is_cpu(arg):
                    raise RuntimeError(f"minigrad runs on the CPU only; cannot move a module to {arg!r}.")
            else:
                dtype = arg
        if dtype is None:
            return self
        if dtype not in (minigrad.float32, minigrad.float64):
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got "
                            f"desired dtype={dtype}. Integer parameters could not be trained.")
        return self._apply(lambda t: t.to(dtype) if t.dtype in (minigrad.float32, minigrad.float64)
                           else t)

    def cpu(self):
        return self  # where everything already is

    def float(self):
        return self.to(minigrad.float32)

    def double(self):
        return self.to(minigrad.float64)

    # ------------------------------------------------------------------ saving and loading

    def state_dict(self, *, destination=None, prefix="", keep_vars=False):
        """OrderedDict from dotted name to (detached) parameter and persistent buffer tensors."""
        if destination is None:
            destination = OrderedDict()
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        return destination

    def _load_from_state_dict(self, state_dict, prefix, missing_keys, unexpected_keys, error_msgs):
        persistent_buffers = {k: v for k, v in self._buffers.items()
                              if k not in self._non_persistent_buffers_set}
        local_state = {k: v for k, v in list(self._parameters.items()) + list(persistent_buffers.items())
                       if v is not None}
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                missing_keys.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, minigrad.Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected minigrad.Tensor '
                                  f"or Tensor-like object from checkpoint but received {type(value)}")
                continue
            if value.shape != param.shape:
                error_msgs.append(f"size mismatch for {key}: copying a param with shape {value.shape} "
                                  f"from checkpoint, the shape in current model is {param.shape}.")
                continue
            with minigrad.no_grad():
                param.copy_(value)
        for key in state_dict:
            if key.startswith(prefix):
                input_name = key[len(prefix):].split(".", 1)
                if len(input_name) > 1:
                    if input_name[0] not in self._modules:
                        unexpected_keys.append(key)
                elif input_name[0] not in local_state:
                    unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict=True):
        """Copy tensors from `state_dict` into this module's parameters and buffers, in place."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}. "
                            "Pass the dict returned by module.state_dict().")
        missing_keys, unexpected_keys, error_msgs = [], [], []

        def load(module, local_state_dict, prefix=""):
            module._load_from_state_dict(local_state_dict, prefix, missing_keys, unexpected_keys,
                                         error_msgs)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    child_state_dict = {k: v for k, v in local_state_dict.items()
                                        if k.startswith(child_prefix)}
                    load(child, child_state_dict, child_prefix)

        load(self, OrderedDict(state_dict))
        if strict:
            if unexpected_keys:
                error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected_keys)))
            if missing_keys:
                error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing_keys)))
        if error_msgs:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(error_msgs))
                + "\n\tThe keys and shapes must match model.state_dict() exactly "
                  "(strict=False tolerates missing and unexpected keys).")
        return _IncompatibleKeys(missing_keys, unexpected_keys)

    # ------------------------------------------------------------------ printing

    def _get_name(self):
        return type(self).__name__

    def extra_repr(self):
        """The text inside this module's parentheses in repr(); layers override it."""
        return ""

    def __repr__(self):
        extra_lines = []
        extra_repr = self.extra_repr()
        if extra_repr:
            extra_lines = extra_repr.split("\n")
        child_lines = []
        for key, module in self._modules.items():
            child_lines.append("(" + key + "): " + _addindent(repr(module), 2))
        lines = extra_lines + child_lines
        main_str = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main_str += extra_lines[0]
            else:
                main_str += "\n  " + "\n  ".join(lines) + "\n"
        return main_str + ")"
