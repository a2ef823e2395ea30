"""The LR of a hand-written SGD update (``with torch.no_grad(): p -= lr * p.grad``, or through ``p.data``), read at its
first steps, and its direction: along the negative gradient, or along the gradient (a sign slip that climbs the loss).

No optimizer holds that LR, yet the exam and ``fix`` train copies of the setup and need one. Plain
SGD moves every parameter exactly along its negative gradient (cosine 1, to rounding) by one LR;
momentum or weight decay do not, and then no LR is read. A loop that gives some parameters their
own rate (``lr * 0.01`` for an embedding) is still plain SGD per parameter: each parameter's own
steady rate is read (:meth:`ManualSgdProbe.rates`), so copies train with the same parameter groups.
"""
from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence

import torch
from torch import nn

STEPS = 3  # hand-written steps measured
COSINE = 0.999  # the update points along -grad
AGREE = 0.01  # LRs over the steps measured (and, for one LR, over the parameters) agree within 1%
# Elements the probe copies per measured step (values and gradients, STEPS steps): every trainable parameter up to this,
# else only the few the caller probes anyway.
RATE_ELEMENTS = 4_000_000


def rate_probes(trainable: Sequence[nn.Parameter], fallback: Sequence[nn.Parameter]) -> list[nn.Parameter]:
    """The parameters whose rates are read: all trainable ones when they are few enough to copy, else ``fallback``."""
    return list(trainable) if sum(p.numel() for p in trainable) <= RATE_ELEMENTS else list(fallback)


class ManualSgdProbe:
    """Values of the probe parameters when a backward began and their gradients when it ended, compared with the
    values at the next ``zero_grad`` or the next backward, whichever comes first (after the hand-written update).

    The gradient is kept as the backward leaves it because a loop may clear it in place (``p.grad.zero_()``) or
    drop it (``p.grad = None``) without any call nndoctor sees; a ``zero_grad()`` is seen before it clears. The
    probes are fixed at ``mark``, so a caller that picks other probes later cannot misalign a step.
    """

    def __init__(self) -> None:
        self._probes: list[nn.Parameter] = []
        self._before: list[torch.Tensor] | None = None
        self._grads: list[torch.Tensor | None] | None = None
        self._positions: dict[int, int] = {}  # the probes whose samples are kept: id of the parameter -> position
        self.steps = 0  # steps measured (that moved at least one probe along a gradient)
        self.samples: list[tuple[int, float, float]] = []  # (probe position, LR along -grad, cosine with -grad)

    def mark(self, probes: Sequence[nn.Parameter]) -> None:
        """A step begins (a zero_grad or a backward): keep the probes' values while more steps are wanted."""
        if probes and self.steps < STEPS:
            if not self._positions:
                self._positions = {id(p): i for i, p in enumerate(probes)}
            self._probes = [p for p in probes if id(p) in self._positions]
            with torch.no_grad():
                self._before = [p.detach().clone() for p in self._probes]
            self._grads = None

    def keep_gradients(self) -> None:
        """A backward ended: keep the probes' gradients (the ones the update will read) while a step is measured."""
        if self._before is not None:
            with torch.no_grad():
                self._grads = [None if p.grad is None else p.grad.detach().clone() for p in self._probes]

    def measure(self) -> None:
        """After a hand-written update (at a zero_grad, or the next backward): how far each probe moved along its
        gradient."""
        before, self._before = self._before, None
        kept, self._grads = self._grads, None
        if before is None:
            return
        measured = len(self.samples)
        with torch.no_grad():
            for index, (p, was) in enumerate(zip(self._probes, before)):
                grad = kept[index] if kept is not None and index < len(kept) else p.grad
                if grad is None or grad.is_sparse or grad.shape != p.shape:
                    continue
                moved, grad = (p.detach() - was).double().flatten(), grad.detach().double().flatten()
                gg, dd = float(grad @ grad), float(moved @ moved)
                if gg > 0 and dd > 0:
                    along = -float(moved @ grad)
                    self.samples.append((self._positions[id(p)], along / gg, along / math.sqrt(gg * dd)))
        self.steps += len(self.samples) > measured

    def climbing(self) -> tuple[int, int]:
        """(steps measured, steps that climbed the loss): all of them when every measured step was plain SGD at one
        negative LR (``p += lr * p.grad``, a lost minus sign), else none. Momentum also moves a weight along its
        current gradient at times (when it overshoots), but not by one rate on every step."""
        return self.steps, self.steps if self._one_rate(-1.0) is not None else 0

    def lr(self) -> float | None:
        """The update's LR when every measured step was plain SGD at one LR, else None."""
        return self._one_rate(1.0)

    def rates(self) -> dict[int, float] | None:
        """Each probe's own LR (by ``id`` of the parameter) when every measured step moved each along its negative
        gradient by a steady rate of its own: plain SGD with per-parameter LRs. None when any probe did otherwise
        (momentum, weight decay, a varying rate) or a probe moved on fewer than two steps."""
        by_probe: dict[int, list[float]] = defaultdict(list)
        for index, rate, cosine in self.samples:
            if cosine < COSINE or rate <= 0:
                return None
            by_probe[index].append(rate)
        if not by_probe or any(len(r) < 2 or max(r) > (1 + AGREE) * min(r) for r in by_probe.values()):
            return None
        ids = {position: pid for pid, position in self._positions.items()}
        return {ids[i]: float(statistics.median(r)) for i, r in by_probe.items()}

    def _one_rate(self, sign: float) -> float | None:
        """The LR (times ``sign``) when every step moved along ``-sign * grad`` by one rate, within ``AGREE``."""
        if len(self.samples) < 2 or any(sign * c < COSINE or sign * lr <= 0 for _, lr, c in self.samples):
            return None
        rates = [sign * lr for _, lr, _ in self.samples]
        return float(statistics.median(rates)) if max(rates) <= (1 + AGREE) * min(rates) else None
