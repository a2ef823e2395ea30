"""The recorder: one training step, recorded, for every loop nndoctor runs on a model copy.

Checkup's trial, the LR range test, the single-batch overfit (and its regularisation A/B)
and fix's equal-budget trials all train through :meth:`Recorder.step`, so each loop's
per-step loss, learning rate, gradient norms and update ratios are measured one way, with
the same functions watch uses on the user's loop (:mod:`nndoctor.record.measure`).
Evaluations a loop makes are recorded by name with :meth:`Recorder.on_eval`. The probes
turn the :class:`Record` into the typed results their verdicts read (TrialResult,
RangeResult, Attempt, TrialScore); nothing here decides a rule.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from .measure import embedding_tables, grad_norms, snapshot, total_norm, update_norms, update_ratio


@dataclass
class Record:
    """What a recorded loop measured, as plain host-side numbers.

    ``step_losses`` and ``lrs`` (the first group's LR the step ran at) hold one value per
    step (a non-finite loss is recorded and ends nothing by itself: the loop decides); ``total_grad_norm`` one per step when
    gradients are recorded; ``grad_norms``/``update_ratios`` per parameter name;
    ``evals`` one list per evaluated quantity, aligned with ``eval_steps``.
    """

    steps: int = 0
    step_losses: list[float] = field(default_factory=list)
    lrs: list[float] = field(default_factory=list)
    total_grad_norm: list[float] = field(default_factory=list)
    grad_norms: dict[str, list[float]] = field(default_factory=dict)
    update_steps: list[int] = field(default_factory=list)
    update_ratios: dict[str, list[float]] = field(default_factory=dict)
    eval_steps: list[int] = field(default_factory=list)
    evals: dict[str, list[Any]] = field(default_factory=dict)
    diverged_step: int | None = None

    def series(self, name: str) -> list[Any]:
        """The evaluated quantity ``name`` (empty when never recorded)."""
        return self.evals.get(name, [])


class Recorder:
    """Runs and records the optimizer steps of a loop over ``model`` and ``optimizer``.

    ``loss(output, target)`` is the training loss (a setup's ``compute_loss``).
    ``grads``: record per-parameter and total gradient norms after each backward.
    ``update_every``: record update ratios ``|Δw|/|w|`` on steps 1, 1 + n, 1 + 2n, …
    (0: never; the pre-step copy of the weights is what costs). ``clip_norm``: clip the
    gradients' total norm before each step (a remedy under trial), as the user's loop would.
    ``input_loss(output, x, target)``: a training loss that also reads the input (distillation's
    teacher sees ``x``); it replaces ``loss`` for the steps only. ``backward_nonfinite``: still run
    the backward of a non-finite loss (no step), so a doctor watching the loop sees that loss.
    """

    def __init__(self, model: nn.Module, optimizer: torch.optim.Optimizer,
                 loss: Callable[[Any, Any], torch.Tensor], *, grads: bool = False,
                 update_every: int = 0, clip_norm: float | None = None,
                 input_loss: Callable[[Any, Any, Any], torch.Tensor] | None = None,
                 backward_nonfinite: bool = False) -> None:
        self.model = model
        self.backward_nonfinite = backward_nonfinite
        self.input_loss = input_loss
        self.optimizer = optimizer
        self.loss = loss
        self.grads = grads
        self.update_every = max(0, int(update_every))
        self.clip_norm = clip_norm
        self.params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        self.tables = frozenset(embedding_tables(model))  # their updates are measured over the rows a step touched
        self.record = Record()

    def _sampled(self, step: int) -> bool:
        every = self.update_every
        return bool(every) and (every == 1 or step % every == 1)

    def step(self, x: Any, y: Any) -> float:
        """One recorded optimizer step on the batch ``(x, y)``: zero the grads, forward, loss, backward, step.

        Returns the minibatch loss. A non-finite loss is recorded (and ``diverged_step`` set)
        without a backward or a step, so the model keeps its last finite weights.
        """
        record = self.record
        record.steps += 1
        step = record.steps
        lr = self.optimizer.param_groups[0].get("lr")
        record.lrs.append(float(lr) if lr is not None else math.nan)
        before = snapshot(self.params) if self._sampled(step) else None
        self.optimizer.zero_grad(set_to_none=True)
        output = self.model(x)
        loss = self.loss(output, y) if self.input_loss is None else self.input_loss(output, x, y)
        value = float(loss.detach())
        record.step_losses.append(value)
        if not math.isfinite(value):
            if record.diverged_step is None:
                record.diverged_step = step
            if self.backward_nonfinite:
                loss.backward()
            return value
        loss.backward()
        if self.grads:
            self._record_grads()
        if self.clip_norm is not None:
            torch.nn.utils.clip_grad_norm_([p for _, p in self.params], self.clip_norm)
        self.optimizer.step()
        if before is not None:
            self._record_updates(step, before)
        return value

    def on_eval(self, step: int | None = None, **values: Any) -> None:
        """Record an evaluation at ``step`` (default: the steps taken so far), one value per named quantity."""
        record = self.record
        record.eval_steps.append(record.steps if step is None else step)
        for name, value in values.items():
            record.evals.setdefault(name, []).append(value)

    def diverged(self, step: int | None = None) -> None:
        """Mark the loop diverged at ``step`` (default: now), e.g. when an evaluation turned non-finite."""
        if self.record.diverged_step is None:
            self.record.diverged_step = self.record.steps if step is None else step

    def _record_grads(self) -> None:
        names, norms = grad_norms(self.params)
        if norms is None:
            self.record.total_grad_norm.append(0.0)
            return
        values = norms.tolist()
        for name, value in zip(names, values):
            self.record.grad_norms.setdefault(name, []).append(value)
        self.record.total_grad_norm.append(total_norm(values))

    def _record_updates(self, step: int, before: list) -> None:
        names, pairs = update_norms(before, self.tables)
        if pairs is None:
            return
        self.record.update_steps.append(step)
        for name, (delta, scale) in zip(names, pairs.tolist()):
            ratio = update_ratio(delta, scale)
            if ratio is not None:
                self.record.update_ratios.setdefault(name, []).append(ratio)
