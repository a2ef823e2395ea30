"""Save and restore every global random number generator nndoctor might touch."""
from __future__ import annotations

import contextlib
import random
from typing import Iterator

import numpy as np
import torch


@contextlib.contextmanager
def preserved_rng() -> Iterator[None]:
    """Run the block, then put Python's, NumPy's, torch's (and CUDA's) RNG states back."""
    py_state = random.getstate()
    np_state = np.random.get_state()
    torch_state = torch.get_rng_state()
    cuda_states = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else None
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
        torch.set_rng_state(torch_state)
        if cuda_states is not None:
            torch.cuda.set_rng_state_all(cuda_states)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch; used only inside ``preserved_rng`` blocks."""
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)
