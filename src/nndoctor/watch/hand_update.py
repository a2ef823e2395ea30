"""A loop that updates the weights by hand (``with torch.no_grad(): p -= lr * p.grad``), seen from its parameters.

No optimizer hook fires for such an update. Two parameters' version counters show it (an
in-place update moves them; gradient accumulation does not), the version of a probe's
gradient shows whether the loop cleared it between backward passes (T501), and
:class:`~nndoctor.watch.manual_sgd.ManualSgdProbe` reads the update's LR and direction.
"""
from __future__ import annotations

import weakref
from collections.abc import Sequence

from torch import nn

from .manual_sgd import ManualSgdProbe, rate_probes

# Parameters whose version counters tell a hand-written update (``p -= lr * p.grad``) from gradient accumulation.
VERSION_PROBES = 2


class HandUpdate:
    """The probe parameters of a watched model and what they showed between backward passes."""

    def __init__(self) -> None:
        self.probes: list[nn.Parameter] = []
        self.rate_probes: list[nn.Parameter] = []  # the parameters a hand-written update's rates are read on
        self.sgd = ManualSgdProbe()  # the LR of a hand-written SGD update, read at its first steps
        self._versions: tuple[int, ...] = ()
        # a probe parameter's gradient (and its version) as the last backward began
        self._grad_at_backward: tuple[weakref.ref, int] | None = None

    def pick_probes(self, params: Sequence[nn.Parameter]) -> None:
        """The first and last trainable parameters: a hand-written update of the model changes their version counters."""
        trainable = [p for p in params if p.requires_grad]
        self.probes = list(dict.fromkeys(trainable[:1] + trainable[-1:]))[:VERSION_PROBES]
        self.rate_probes = rate_probes(trainable, self.probes)

    def at_backward(self) -> None:
        """A backward pass ended: the versions a later in-place update would move on from."""
        self._versions = tuple(p._version for p in self.probes)

    def mark_rates(self) -> None:
        """The values the next hand-written update moves from (its LR is read against them)."""
        self.sgd.mark(self.rate_probes)

    def remember_gradient(self) -> None:
        """The probe's gradient as a backward ends, to tell later whether the loop cleared it (T501)."""
        grad = self.probes[0].grad if self.probes else None
        self._grad_at_backward = (weakref.ref(grad), grad._version) if grad is not None else None

    def stepped(self) -> bool:
        """Whether the probe parameters were changed in place since the last backward (a hand-written update)."""
        return bool(self.probes) and tuple(p._version for p in self.probes) != self._versions

    def uncleared(self) -> bool:
        """T501 for a hand-written update: is the gradient the last backward added to still holding the one before?

        A backward adds into an existing ``.grad`` in place, one version step; ``zero_grad()`` sets it to None or
        zeroes it (another version step). So a gradient that is the same tensor, exactly one version on from where the
        last backward found it, was never cleared: the update used the sum of every earlier step's gradient.
        """
        before, self._grad_at_backward = self._grad_at_backward, None
        grad = self.probes[0].grad if self.probes else None
        return before is not None and grad is not None and before[0]() is grad and grad._version == before[1] + 1

    def measure(self) -> tuple[int, int]:
        """How the last hand-written update moved the probes along their gradients: (steps checked, steps that climbed)."""
        self.sgd.measure()
        return self.sgd.climbing()

    def description(self) -> str:
        """The optimizer line of the report for a loop with no optimizer."""
        lr, rates = self.sgd.lr(), self.sgd.rates()
        if lr is not None:
            return f"hand-written SGD (lr {lr:.3g}, measured)"
        if rates:
            low, high = min(rates.values()), max(rates.values())
            return f"hand-written SGD (per-parameter lr {low:.3g} to {high:.3g}, measured)"
        return "none"
