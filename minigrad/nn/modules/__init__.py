from .module import Module
from .linear import Identity, Linear
from .activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleList, Sequential
from .flatten import Flatten
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss

__all__ = ["Module", "Identity", "Linear", "LogSoftmax", "ReLU", "Sigmoid", "Softmax", "Tanh",
           "ModuleList", "Sequential", "Flatten", "BCELoss", "BCEWithLogitsLoss",
           "CrossEntropyLoss", "L1Loss", "MSELoss", "NLLLoss"]
