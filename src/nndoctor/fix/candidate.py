"""What a remedy is and what it produces: a named transformation and its candidate Setups."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import torch

from ..findings import Finding
from ..setup import Setup


@dataclass
class Candidate:
    """One remedy applied to one setup: the changed Setup plus what to tell the user.

    ``clip_norm`` asks the trial loop to clip gradients (a Setup has no place for it);
    ``loss_comparable`` is False when the remedy changes what the outputs or loss mean, so the
    validation loss cannot be compared with the baseline's and only the metric can.
    ``train_loss(output, x, y)``, when given, replaces the setup's loss for the training steps
    only (distillation reads a teacher's outputs on ``x``); validation still scores the setup's loss.
    ``equal_samples``: the budget is in samples seen, not steps: the candidate is compared with a
    baseline run that sees as many samples (a remedy that shrinks the batch gets more steps per epoch).
    ``restore_best``: early stopping; the run keeps the weights of its best validation loss.
    ``judged_by``: "metric", or "loss" for a remedy whose point is the validation loss (overfitting),
    verified on the loss provided the metric does not get worse, or "cleared" for a remedy of a bug
    (wrong gradients, leaked validation rows, probabilities fed to a logits loss, an output bias far from the prior), verified when the check of ``clears`` (the code of the
    finding it was built for; fix fills it in) no longer fires on the candidate's setup and the metric
    is not verifiably worse. ``metric_comparable`` is False when the remedy changes what the
    validation metric measures (validation rows dropped, labels recoded): only the check then decides.
    """

    remedy: str
    title: str
    setup: Setup
    snippet: str
    clip_norm: float | None = None
    loss_comparable: bool = True
    train_loss: Callable[[Any, Any, torch.Tensor], torch.Tensor] | None = None
    equal_samples: bool = False
    restore_best: bool = False
    judged_by: str = "metric"
    metric_comparable: bool = True
    clears: str | None = None


@dataclass(frozen=True)
class Remedy:
    """A named remedy, the codes it treats, and how it builds its candidates.

    ``bug_for``: codes for which the remedy undoes a bug rather than improves a working setup: its
    candidates are then judged by the check clearing (``judged_by="cleared"``), whatever they were built with.
    """

    name: str
    codes: tuple[str, ...]
    summary: str
    build: Callable[[Setup, Finding], list[Candidate]]
    bug_for: tuple[str, ...] = ()
