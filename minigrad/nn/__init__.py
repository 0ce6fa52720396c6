"""Neural-network building blocks with torch.nn's names: layers (Modules), losses, Parameter."""
from .parameter import Parameter
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from . import functional, init

__all__ = ["Parameter", "functional", "init"] + _modules_all
