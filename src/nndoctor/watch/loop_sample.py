"""The batches a loop with no DataLoader fed its model (``xb, yb = X[idx], y[idx]``): the exam's data then."""
from __future__ import annotations

import weakref
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from . import hub
from .bags import PAD, bag_layout, pack_bags
from .rows import cpu_copy, row_keys, sequence_target, swap_leading

# Bounds on the loop's own batches recorded when no DataLoader feeds it (the exam's data then).
SAMPLE_ROWS = 2048
SAMPLE_BATCHES = 32
SAMPLE_BYTES = 256 * 2**20


class LoopSample:
    """Detached CPU copies of the batches a loop without a DataLoader fed its model (bounded).

    A global forward pre-hook keeps copies of the positional inputs of the module the loop
    called (one tensor, or several: ``model(x, mask)``); each later training call of the captured
    loss kind records them with the loss target. Stops after ``SAMPLE_BATCHES`` batches,
    ``SAMPLE_ROWS`` samples or ``SAMPLE_BYTES``, at a batch whose per-sample shapes differ from
    the first, or at the first batch whose rows mostly were fed before (a new epoch: the sample
    holds each row once, so duplicate shares measured on it are the data's, not the epochs').
    Copies only: the user's tensors are never kept alive or changed.
    """

    def __init__(self) -> None:
        self.batches: list[tuple[tuple[torch.Tensor, ...], torch.Tensor]] = []
        self.kind: str | None = None
        self.active = False
        self.rows = 0
        self.n_inputs = 1
        self.n_state = 0  # trailing state inputs of each call (model(x, hidden)), not recorded
        self.time_first = False  # the loop's inputs are (T, B, ...): recorded as (B, T, ...)
        self.bags: tuple[int, int] | None = None  # the two inputs are a token stream and offsets: recorded packed
        self._bytes = 0
        self._module: weakref.ref | None = None
        self._input: tuple[torch.Tensor, ...] | None = None
        self._handle: Any = None
        self._seen: set[int] = set()
        self.whole_epoch = False  # the sample ended where the loop began feeding its rows again

    def start(self, kind: str, module: weakref.ref, x: tuple[torch.Tensor, ...] | None, target: torch.Tensor,
              n_inputs: int = 1, n_state: int = 0, time_first: bool = False,
              bags: tuple[int, int] | None = None) -> None:
        """Record the first batch (when its inputs are still alive) and follow the module's later training inputs.

        ``n_state``: trailing recurrent-state inputs of each call, not recorded; ``time_first``: the loop
        feeds (T, B, ...) inputs, recorded with their first two axes swapped (``x`` already is); ``bags``:
        each call's two inputs are a token stream and bag offsets (their places), recorded as one padded
        row per bag (:func:`pack_bags`; ``x`` already is)."""
        from torch.nn.modules import module as module_hooks

        self.kind, self._module, self.active, self.n_state = kind, module, True, n_state
        self.time_first, self.bags = time_first, bags
        self.n_inputs = 2 if bags is not None else n_inputs  # with bags, the calls' inputs: the stream and the offsets
        if x is not None:
            self._add(tuple(cpu_copy(t) for t in x), target)
        if self.active:
            self._handle = module_hooks.register_module_forward_pre_hook(self._pre_hook)

    def _pre_hook(self, module: nn.Module, args: tuple) -> None:
        """A training forward of the followed module: copy its inputs (the loss call then pairs them with its target)."""
        try:
            if not self.active or self._module is None or module is not self._module() or hub.tracing():
                return
            x = tuple(args[:self.n_inputs]) if len(args) == self.n_inputs + self.n_state else ()
            self._input = None
            if x and hub.model_output(x[0]):
                return  # samples a generator made (a GAN's fakes), scored by the model: not the loop's data
            if x and all(isinstance(t, torch.Tensor) for t in x) and module.training and torch.is_grad_enabled() \
                    and self._bytes + sum(t.numel() * t.element_size() for t in x) <= SAMPLE_BYTES:
                self._input = tuple(cpu_copy(t) for t in x)
        except Exception:
            self.close()

    def record_step(self, target: Any) -> None:
        """One training loss call: record the module's last inputs with this target (once per forward)."""
        x, self._input = self._input, None
        if x is None or not isinstance(target, torch.Tensor) or target.dim() == 0 or any(t.dim() == 0 for t in x):
            return
        if self.bags is not None:
            if bag_layout(*x) != self.bags:
                self.close()
                return
            x = (pack_bags(x[self.bags[0]], x[self.bags[1]]),)
        target = sequence_target(target, x[0])
        if self.time_first:
            x, target = tuple(swap_leading(t) for t in x), swap_leading(target)
        first_x, first_y = self.batches[0] if self.batches else (x, target)
        width = 2 if self.bags is not None else 1  # packed bags: rows as long as the batch's longest bag
        if any(tuple(a.shape[width:]) != tuple(b.shape[width:]) or a.dtype != b.dtype or a.shape[0] != target.shape[0]
               for a, b in zip(x, first_x)) \
                or tuple(target.shape[1:]) != tuple(first_y.shape[1:]) or target.dtype != first_y.dtype:
            self.close()
            return
        keys = row_keys((*x, target), bags=self.bags is not None)
        if sum(k in self._seen for k in keys) * 2 >= len(keys):  # the loop re-feeds rows it fed: a new epoch
            self.whole_epoch = True
            self.close()
            return
        self._add(x, target, keys)

    def _add(self, x: tuple[torch.Tensor, ...], target: torch.Tensor, keys: list[int] | None = None) -> None:
        """Keep ``x`` (already copies) and a copy of ``target``; close when a bound is reached. ``keys``: the rows'
        hashes (:func:`row_keys`) where the caller already has them."""
        size = sum(t.numel() * t.element_size() for t in x) + target.numel() * target.element_size()
        if self._bytes + size > SAMPLE_BYTES:
            self.close()
            return
        self.batches.append((x, cpu_copy(target)))
        self._seen.update(keys if keys is not None else row_keys((*x, target), bags=self.bags is not None))
        self.rows += int(x[0].shape[0])
        self._bytes += size
        if self.rows >= SAMPLE_ROWS or len(self.batches) >= SAMPLE_BATCHES:
            self.close()

    def close(self) -> None:
        """Stop recording and remove the hook (idempotent)."""
        self.active = False
        self._input = None
        if self._handle is not None:
            self._handle.remove()
            self._handle = None

    def loader(self) -> DataLoader:
        """A DataLoader over the recorded batches, in the loop's order, with the loop's first batch size.

        Its batches are ``(x, y)``, or ``(x_1, …, x_n, y)`` for a model fed ``n`` positional inputs.
        """
        xs, ys = zip(*self.batches)
        if self.bags is not None:  # one padded row per bag, padded again to the longest bag of all
            longest = max(x[0].shape[1] for x in xs)
            parts = [torch.cat([nn.functional.pad(x[0], (0, longest - x[0].shape[1]), value=PAD) for x in xs])]
        else:
            parts = [torch.cat([x[k] for x in xs]) for k in range(self.n_inputs)]
        return DataLoader(TensorDataset(*parts, torch.cat(ys)), batch_size=int(xs[0][0].shape[0]), shuffle=False)
