"""The LR of a hand-written SGD update (``with torch.no_grad(): p -= lr * p.grad``, or through ``p.data``), read at its
first steps, and its direction: along the negative gradient, or along the gradient (a sign slip that climbs the loss).

No optimizer holds that LR, yet the exam and ``fix`` train copies of the setup and need one. Plain
SGD moves every parameter exactly along its negative gradient (cosine 1, to rounding) by one LR;
momentum, weight decay or per-parameter step sizes do not, and then no LR is read.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

import torch
from torch import nn

STEPS = 3  # hand-written steps measured (per probe parameter)
COSINE = 0.999  # the update points along -grad
AGREE = 0.01  # the probes' LRs, over the steps measured, agree within 1%


class ManualSgdProbe:
    """Values of a few probe parameters when a backward began and their gradients when it ended, compared with the
    values at the next ``zero_grad`` or the next backward, whichever comes first (after the hand-written update).

    The gradient is kept as the backward leaves it because a loop may clear it in place (``p.grad.zero_()``) or
    drop it (``p.grad = None``) without any call nndoctor sees; a ``zero_grad()`` is seen before it clears.
    """

    def __init__(self) -> None:
        self._before: list[torch.Tensor] | None = None
        self._grads: list[torch.Tensor | None] | None = None
        self.samples: list[tuple[float, float]] = []  # (LR along -grad, cosine of the update with -grad)

    def mark(self, probes: Sequence[nn.Parameter]) -> None:
        """A step begins (a zero_grad or a backward): keep the probes' values while more steps are wanted."""
        if probes and len(self.samples) < STEPS * len(probes):
            with torch.no_grad():
                self._before = [p.detach().clone() for p in probes]
            self._grads = None

    def keep_gradients(self, probes: Sequence[nn.Parameter]) -> None:
        """A backward ended: keep the probes' gradients (the ones the update will read) while a step is measured."""
        if self._before is not None:
            with torch.no_grad():
                self._grads = [None if p.grad is None else p.grad.detach().clone() for p in probes]

    def measure(self, probes: Sequence[nn.Parameter]) -> None:
        """After a hand-written update (at a zero_grad, or the next backward): how far each probe moved along its
        gradient."""
        before, self._before = self._before, None
        kept, self._grads = self._grads, None
        if before is None:
            return
        with torch.no_grad():
            for index, (p, was) in enumerate(zip(probes, before)):
                grad = kept[index] if kept is not None and index < len(kept) else p.grad
                if grad is None or grad.is_sparse or grad.shape != p.shape:
                    continue
                moved, grad = (p.detach() - was).double().flatten(), grad.detach().double().flatten()
                gg, dd = float(grad @ grad), float(moved @ moved)
                if gg > 0 and dd > 0:
                    along = -float(moved @ grad)
                    self.samples.append((along / gg, along / math.sqrt(gg * dd)))

    def climbing(self) -> tuple[int, int]:
        """(steps measured, steps that climbed the loss): all of them when every measured step was plain SGD at one
        negative LR (``p += lr * p.grad``, a lost minus sign), else none. Momentum also moves a weight along its
        current gradient at times (when it overshoots), but not by one rate on every step."""
        return len(self.samples), len(self.samples) if self._one_rate(-1.0) is not None else 0

    def lr(self) -> float | None:
        """The update's LR when every measured step was plain SGD at one LR, else None."""
        return self._one_rate(1.0)

    def _one_rate(self, sign: float) -> float | None:
        """The LR (times ``sign``) when every step moved along ``-sign * grad`` by one rate, within ``AGREE``."""
        if len(self.samples) < 2 or any(sign * c < COSINE or sign * lr <= 0 for lr, c in self.samples):
            return None
        rates = [sign * lr for lr, _ in self.samples]
        return float(statistics.median(rates)) if max(rates) <= (1 + AGREE) * min(rates) else None
