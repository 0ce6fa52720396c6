"""The random number generator behind rand, randn, uniform_ and nn.init (NumPy's PCG64)."""
from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def generator() -> np.random.Generator:
    return _generator


def manual_seed(seed: int) -> np.random.Generator:
    """Seed minigrad's generator. The numbers differ from torch's for the same seed (another algorithm)."""
    global _generator
    _generator = np.random.default_rng(int(seed))
    return _generator


def seed() -> int:
    s = int(np.random.SeedSequence().entropy % (2**63))
    manual_seed(s)
    return s
