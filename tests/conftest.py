"""Shared test setup.

Tests that compare against PyTorch carry the ``torch`` marker (``pytestmark = pytest.mark.torch``
and ``torch = pytest.importorskip("torch")`` at the top of the module). Everything else must run
where torch is absent: ``pytest -m "not torch"``.
"""
import numpy as np
import pytest

import minigrad

try:  # torch's kernels are much faster single-threaded on this project's small tensors
    import torch

    torch.set_num_threads(1)
except ImportError:
    torch = None


@pytest.fixture(autouse=True)
def _fresh_state():
    # Each test starts with grad mode on and a known seed, whatever the previous test did.
    minigrad.manual_seed(0)
    np.random.seed(0)
    with minigrad.enable_grad():
        yield


def normalise(text: str) -> str:
    """Make torch's and minigrad's printed names comparable (torch.Size -> minigrad.Size ...)."""
    return str(text).replace("torch.", "minigrad.")
