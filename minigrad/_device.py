"""torch.device, torch.cuda and torch.backends, for the code that asks where to compute.

minigrad computes with NumPy, on the CPU only. Other devices can still be named, so that the common
``device = torch.device("cuda" if torch.cuda.is_available() else "cpu")`` runs unchanged and picks
the CPU; moving a tensor or a module to any other device is refused.
"""
from __future__ import annotations

import types

# the device types torch knows, in the order its message lists them
_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
          "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


class device:
    """A device's type and, optionally, its index: ``device("cpu")``, ``device("cuda:0")``,
    ``device("cuda", 1)``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif not isinstance(type, str):
            raise RuntimeError("Cannot access accelerator device when none is available. minigrad has "
                               "the CPU only: name it with device('cpu').")
        elif ":" in type:
            type, index = _parse(type)
        elif type not in _TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of device string: "
                               f"{type}. Device names are lower case; minigrad computes on 'cpu'.")
        self.type, self.index = type, index

    def __repr__(self) -> str:
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


def _parse(text: str) -> tuple:
    kind, _, number = text.partition(":")
    if kind not in _TYPES or not number.isdigit():  # isdigit: no sign, no second colon
        raise RuntimeError(f"Invalid device string: '{text}'. A device is named 'type' or 'type:index', "
                           "e.g. 'cpu' or 'cuda:0'.")
    return kind, int(number)


CPU = device("cpu")


def is_cpu(where) -> bool:
    """Whether a device argument (None, a string or a device) names the CPU, the only device there is."""
    return where is None or device(where).type == "cpu"


def _zero() -> int:
    return 0


def _no() -> bool:
    return False


def _nothing(*args) -> None:  # seeding a GPU that is not there does nothing, as in torch
    pass


# torch.cuda and torch.backends: no accelerator is available
cuda = types.SimpleNamespace(is_available=_no, device_count=_zero, manual_seed=_nothing,
                             manual_seed_all=_nothing)
backends = types.SimpleNamespace(mps=types.SimpleNamespace(is_available=_no, is_built=_no),
                                 cuda=types.SimpleNamespace(is_built=_no))
