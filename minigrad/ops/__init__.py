"""All operations, one small Function class each; the functions here are minigrad's public ops."""
from .arithmetic import add, div, mul, neg, pow, reciprocal, rsub, sub
from .matmul import matmul
from .pointwise import (
    abs, allclose, bitwise_and, bitwise_or, bitwise_xor, clamp, clip, cos, eq, equal, exp, floor_divide, ge,
    gt, isclose, le, log, logical_not, lt, maximum, minimum, ne, relu, sigmoid, sign, sin, sqrt, tanh, where,
)
from .reduction import (
    all, amax, any, argmax, argmin, log_softmax, logsumexp, max, mean, min, norm, softmax, std, sum, var,
)
from .shape import (
    cat, clone, concat, concatenate, expand, flatten, permute, reshape, squeeze, stack, sum_to_size, t,
    to_dtype, transpose, unsqueeze, view,
)
from .indexing import getitem, select
