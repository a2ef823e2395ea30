"""Sums over the script's latest evaluation pass: what its last validation scored (G603, D111).

An evaluation pass is the run of evaluation batches within one training iteration; a batch of
a later iteration starts a new pass, so what is left at the end of the run is the last
evaluation the script ran. Sums stay on the device (no sync per batch) and are read once.
"""
from __future__ import annotations

import torch


class LatestPass:
    """Per-batch tensors summed over the latest evaluation pass, and whether every batch of it was held out."""

    def __init__(self) -> None:
        self._iteration: int | None = None
        self._sums: list[torch.Tensor] | None = None
        self.held_out = True

    def add(self, iteration: int, values: list[torch.Tensor], held_out: bool = True) -> None:
        """Add one batch's ``values``; a new iteration (or values of another shape: another head) starts a new pass."""
        fresh = self._sums is None or iteration != self._iteration \
            or any(kept.shape != value.shape for kept, value in zip(self._sums, values))
        if fresh:
            self._iteration, self._sums, self.held_out = iteration, [v.detach().clone() for v in values], held_out
            return
        for kept, value in zip(self._sums, values):
            kept += value
        self.held_out = self.held_out and held_out

    def totals(self) -> list[torch.Tensor] | None:
        """The pass's sums on the CPU, or None when no evaluation batch was added."""
        return None if self._sums is None else [v.detach().cpu() for v in self._sums]
