"""Row-level helpers of the capture: copies, per-row hashes, and whether two tensors hold the same rows.

The capture never keeps the user's tensors alive: it hashes rows to tell a validation tensor
from the training data (:func:`hash_rows`), fingerprints a tensor to know it again as a new
object (:func:`row_fingerprint`), and compares a loss target with a batch's tensors after a
move, cast or reshape (:func:`same_values`).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from .bags import PAD


def cpu_copy(t: torch.Tensor) -> torch.Tensor:
    """A detached CPU copy sharing nothing with ``t``."""
    with torch.no_grad():
        return t.detach().to("cpu", copy=True)


def hash_rows(x: torch.Tensor) -> np.ndarray:
    """The audit's exact-copy hash (:func:`nndoctor.probes.data_duplicates.row_hashes`) of each row of ``x``, read off
    its device in chunks of about 16 MiB; reads ``x``, never changes it."""
    from ..probes.data_duplicates import row_hashes

    with torch.no_grad():
        flat = x.detach().reshape(x.shape[0], -1)
        if flat.dtype == torch.bfloat16:  # no NumPy dtype: its bits as 16-bit integers
            flat = flat.view(torch.int16)
        step = max(1, 2**24 // max(1, flat.shape[1] * flat.element_size()))
        parts = [row_hashes(flat[start:start + step].to("cpu").numpy()) for start in range(0, len(flat), step)]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)


def row_fingerprint(x: torch.Tensor) -> tuple:
    """Shape, dtype and a hash of a few rows: the same tensor evaluated again, even as a new object."""
    rows = int(x.shape[0])
    pick = sorted({0, 1, 2, rows // 2, rows - 1})
    return tuple(x.shape), x.dtype, tuple(hash_rows(x[torch.tensor(pick, device=x.device)]).tolist())


def row_keys(parts: Sequence[torch.Tensor], bags: bool = False) -> list[int]:
    """A hash of each row's bytes over all of ``parts`` (a batch's inputs and target, same rows), to see the loop
    re-feed rows it already fed. All of them: one input alone may repeat across rows (a segment id among 48, a mask).
    ``bags``: the first part is packed bags, hashed without their padding (its length is the batch's longest bag)."""
    if bags:
        rows = parts[0]
        parts = [torch.tensor([hash(r[r != PAD].numpy().tobytes()) for r in rows], dtype=torch.int64), *parts[1:]]
    flats = [t.reshape(t.shape[0], -1).contiguous().view(torch.uint8) if t.dim() > 0 else t.reshape(1, -1)
             for t in parts]
    return [hash(b"".join(f[i].numpy().tobytes() for f in flats)) for i in range(flats[0].shape[0])]


def same_values(candidate: Any, target: torch.Tensor) -> bool:
    """Whether ``target`` holds the batch tensor ``candidate`` (the same object, or a moved/cast/reshaped copy)."""
    if not isinstance(candidate, torch.Tensor):
        return False
    if candidate is target:
        return True
    if candidate.numel() != target.numel() or candidate.dim() == 0 or target.dim() == 0 \
            or (candidate.shape[0] != target.shape[0] and not flattened_tokens(candidate, target)):
        return False
    with torch.no_grad():
        a = candidate.detach().reshape(-1).to(device=target.device, dtype=torch.float64)
        b = target.detach().reshape(-1).to(dtype=torch.float64)
        return bool(torch.equal(a, b))


def flattened_tokens(whole: Any, flat: Any) -> bool:
    """Whether ``flat`` is ``whole`` with its first two dimensions (batch and time) merged: ``whole.view(-1, ...)``."""
    return (isinstance(whole, torch.Tensor) and isinstance(flat, torch.Tensor) and whole.dim() >= 2 and flat.dim() >= 1
            and flat.dim() == whole.dim() - 1 and flat.shape[0] == whole.shape[0] * whole.shape[1]
            and tuple(flat.shape[1:]) == tuple(whole.shape[2:]))


def swap_leading(t: Any) -> Any:
    """A tensor with its first two axes swapped (time-major <-> batch-major); anything else unchanged."""
    return t.transpose(0, 1) if isinstance(t, torch.Tensor) and t.dim() >= 2 else t


def sequence_target(target: Any, x: torch.Tensor) -> Any:
    """``target`` with the first two dimensions of the input ``x`` restored, when the loss took it flattened.

    A language model's loop calls ``loss(output.view(-1, vocab), targets.view(-1))``: the target
    then holds one row per position of ``x``'s first two dimensions (batch and time, in either
    order), not one per sample. Restored to that shape, it pairs with its input row by row.
    Anything else is returned as it is.
    """
    if (isinstance(target, torch.Tensor) and target.dim() >= 1 and x.dim() >= 2 and target.shape[0] != x.shape[0]
            and target.shape[0] == x.shape[0] * x.shape[1]):
        return target.reshape(x.shape[0], x.shape[1], *target.shape[1:])
    return target
