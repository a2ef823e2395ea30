"""Telemetry: the series a watch records, as plain host-side numbers.

Monitors append on-device tensors to ``pending`` lists on every step (no host sync);
``resolve()`` reads them in one transfer at sample points and at the end. Verdicts in
``live_rules`` read only the resolved, plain values here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import torch

# Per-step gradient norms kept at most; past it every second one is dropped and the stride doubles.
MAX_STEP_NORMS = 20_000
# Loss functions that read class ids against a class axis of the output (its width: the candidates).
CLASS_LOSSES = ("cross_entropy", "nll_loss")


@dataclass
class LossCall:
    """What one loss-function call saw (recorded on the first calls and on sampled steps)."""

    kind: str
    step: int
    train: bool
    n_outputs: int | None
    evidence: dict[str, Any]


@dataclass
class Telemetry:
    """Everything a watch measured; plain lists and dicts once ``resolve()`` ran."""

    every: int = 20
    steps: int = 0
    backward_calls: int = 0
    optimizer_steps: dict[int, int] = field(default_factory=dict)
    optimizer_kinds: dict[int, str] = field(default_factory=dict)
    train_loss: list[float] = field(default_factory=list)
    train_loss_steps: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_steps: list[int] = field(default_factory=list)
    val_acc: list[float | None] = field(default_factory=list)
    val_weight: list[int] = field(default_factory=list)
    # Evaluation losses are recorded per term: a summed test loss is divided by its terms (loss_inspect.mean_loss).
    val_loss_per_term: bool = True
    logged: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    lr: dict[int, list[float]] = field(default_factory=dict)
    grad_steps: list[int] = field(default_factory=list)
    total_grad_norm: list[float] = field(default_factory=list)
    grad_norms: dict[str, list[float]] = field(default_factory=dict)
    # The primary optimizer's total gradient norm before every ``step_norm_stride``-th step (O403).
    step_grad_norm: list[float] = field(default_factory=list)
    step_grad_steps: list[int] = field(default_factory=list)
    step_norm_stride: int = 1
    grad_missing: dict[str, int] = field(default_factory=dict)
    grad_samples: int = 0
    update_steps: list[int] = field(default_factory=list)
    update_ratios: dict[str, list[float]] = field(default_factory=dict)
    weight_norms: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    update_norms: dict[str, list[float]] = field(default_factory=dict)
    grad_norm_steps: dict[str, list[int]] = field(default_factory=dict)
    param_sizes: dict[str, int] = field(default_factory=dict)
    weight_params: list[str] = field(default_factory=list)
    embedding_params: list[str] = field(default_factory=list)  # lookup tables: updates measured over touched rows
    unit_weights: list[str] = field(default_factory=list)  # Linear, convolution and recurrent weights: rows are units fed one input (M201)
    fan_in: dict[str, int] = field(default_factory=dict)  # per weight layer: inputs per output unit
    dead_share: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    relu_units: dict[str, int] = field(default_factory=dict)  # each ReLU layer's width (units counted by dead_share)
    saturated_share: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    clip_calls: list[tuple[int, float, float]] = field(default_factory=list)
    # clip_grad_norm_ calls made after optimizer.step() and before the next backward(): they cut gradients the step had
    # already used, so they limit no step (T505); their pre-clip norms still measure the gradient (O403)
    late_clip_calls: list[tuple[int, float, float]] = field(default_factory=list)
    value_clips: list[tuple[int, float, float]] = field(default_factory=list)
    inputs: list[dict[str, Any]] = field(default_factory=list)
    weight_inputs: list[dict[str, Any]] = field(default_factory=list)  # what the first weight layer multiplied (same keys)
    fingerprints: list[tuple[int, tuple[float, ...]]] = field(default_factory=list)
    # per row shape (str of the trailing dimensions): the most rows a tensor of that shape held among what the model
    # was run on without gradients and the tensors training batches were sliced from (T506: data beyond the batch)
    rows_held: dict[str, int] = field(default_factory=dict)
    label_counts: list[tuple[int, list[float]]] = field(default_factory=list)
    target_stats: list[tuple[int, float, float]] = field(default_factory=list)
    target_samples: list[tuple[int, list[list[float]]]] = field(default_factory=list)
    # the training targets of a regression loss, every call's (rows x columns, on their device) until CONTENT_ELEMENTS:
    # what batch content alone does to the loss at fixed weights needs the tail of the targets, which the few inspected
    # calls' samples under-represent for a heavy-tailed target (O407's spikes, G602's typical batch)
    regression_targets: list[Any] = field(default_factory=list)
    regression_target_elements: int = 0
    # the batch-content draws measured from them, with the counts they were measured at (O407 and G602 read them,
    # the exam's requests once more: measured once per state of the targets)
    content_draws: tuple[tuple[int, int, int], Any] | None = None
    loss_calls: list[LossCall] = field(default_factory=list)
    # the distinct (loss kind, candidates) of evaluation loss calls (candidates: a class loss's output width, else
    # None): a detected validation loss is on the train loss's scale only when they are the training calls' own
    eval_loss_signatures: list[tuple[str, int | None]] = field(default_factory=list)
    # whether evaluation loss calls weighed their terms (pos_weight, weight not all ones): the distinct answers seen
    eval_loss_weighted: list[bool] = field(default_factory=list)
    # (count, mean, std) of the finite targets of the first evaluation calls of a regression loss: a validation loss
    # on targets in other units than training's (predictions de-standardised first) does not compare with it
    eval_target_moments: list[tuple[int, float, float]] = field(default_factory=list)
    recall_hits: dict[str, dict[int, list[float]]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    schedulers: list[str] = field(default_factory=list)
    loaders: list[int | None] = field(default_factory=list)
    seeded: bool = False
    nonfinite: dict[str, Any] | None = None
    limitations: list[str] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    initial_weights: dict[str, dict[str, float]] = field(default_factory=dict)
    unchanged_params: list[str] = field(default_factory=list)
    unoptimized_params: list[str] = field(default_factory=list)
    stuck_reasons: dict[str, str] = field(default_factory=dict)
    reached_params: list[str] = field(default_factory=list)
    restored_at: int | None = None
    exception: str | None = None
    first_term_loss: float | None = None  # the first summed training loss call's loss per term (L307 reads it)
    # on-device values waiting for the next resolve()
    pending_train: list[tuple[int, list[torch.Tensor]]] = field(default_factory=list)
    pending_val: list[tuple[int, torch.Tensor, int, torch.Tensor | None]] = field(default_factory=list)
    # (step, pre-clip norm, max_norm, late: after the step)
    pending_clip: list[tuple[int, torch.Tensor, float, bool]] = field(default_factory=list)
    pending_step_norm: list[tuple[int, torch.Tensor]] = field(default_factory=list)
    pending_scored: list[tuple[int, torch.Tensor]] = field(default_factory=list)
    # evaluation batches scored by nndoctor when the loop computes no validation loss itself
    scored_val_steps: list[int] = field(default_factory=list)
    scored_val_loss: list[float] = field(default_factory=list)
    scored_val_acc: list[float] = field(default_factory=list)
    scored_val_weight: list[float] = field(default_factory=list)

    @property
    def manual_steps(self) -> int:
        """Steps the loop made by updating the weights itself (``p -= lr * p.grad``, no optimizer), from ``counters``."""
        return self.counters.get("manual_steps", 0)

    @property
    def summed_then_divided(self) -> bool:
        """Whether the loop divides its sum-reduced training loss by a count before backward (most checked steps did):
        its curve is then that mean, not a sum (``counters`` "summed_checks"/"summed_divided", set by the Doctor)."""
        return self.counters.get("summed_divided", 0) * 2 > self.counters.get("summed_checks", 0) > 0

    def count(self, key: str, by: int = 1) -> None:
        self.counters[key] = self.counters.get(key, 0) + by

    def limitation(self, text: str) -> None:
        if text not in self.limitations:
            self.limitations.append(text)

    def resolve(self) -> None:
        """Move every pending on-device value to the host in one transfer."""
        flat: list[torch.Tensor] = []
        for _, values in self.pending_train:
            flat.extend(v.reshape(()) if v.numel() == 1 else v.float().mean().reshape(()) for v in values)
        for _, value, _, correct in self.pending_val:
            flat.append(value.reshape(()) if value.numel() == 1 else value.float().mean().reshape(()))
        for _, norm, _, _ in self.pending_clip:
            flat.append(norm.reshape(()))
        for _, scored in self.pending_scored:
            flat.extend(scored.reshape(-1)[:3])
        flat.extend(norm.reshape(()) for _, norm in self.pending_step_norm)
        if not flat:
            return
        devices = {t.device for t in flat}
        host = [float(v) for v in torch.stack([t.detach().float().to("cpu") for t in flat]).tolist()] if len(devices) > 1 else \
            [float(v) for v in torch.stack([t.detach().float() for t in flat]).tolist()]
        position = 0
        for step, values in self.pending_train:
            chunk = host[position : position + len(values)]
            position += len(values)
            self.train_loss.append(sum(chunk) / len(chunk))
            self.train_loss_steps.append(step)
        val_chunk: list[tuple[int, float, int]] = []
        for step, _, n, _ in self.pending_val:
            val_chunk.append((step, host[position], n))
            position += 1
        for norm_value, (step, _, max_norm, late) in zip(host[position:], self.pending_clip):
            (self.late_clip_calls if late else self.clip_calls).append((step, norm_value, max_norm))
        position += len(self.pending_clip)
        for step, _ in self.pending_scored:
            self._merge_scored(step, *host[position : position + 3])
            position += 3
        for (step, _), norm_value in zip(self.pending_step_norm, host[position:]):
            self.step_grad_steps.append(step)
            self.step_grad_norm.append(norm_value)
        self._thin_step_norms()
        self._merge_val(val_chunk)
        self.pending_train.clear()
        self.pending_val.clear()
        self.pending_clip.clear()
        self.pending_scored.clear()
        self.pending_step_norm.clear()

    def _thin_step_norms(self) -> None:
        """Bound the per-step norm series: past ``MAX_STEP_NORMS`` keep every second value and sample half as often."""
        while len(self.step_grad_norm) > MAX_STEP_NORMS:
            self.step_grad_norm = self.step_grad_norm[::2]
            self.step_grad_steps = self.step_grad_steps[::2]
            self.step_norm_stride *= 2

    def _merge_scored(self, step: int, loss_sum: float, n: float, correct: float) -> None:
        """Scored evaluation batches at the same step form one validation pass."""
        if n <= 0:
            return
        if self.scored_val_steps and self.scored_val_steps[-1] == step:
            weight = self.scored_val_weight[-1]
            self.scored_val_loss[-1] = (self.scored_val_loss[-1] * weight + loss_sum) / (weight + n)
            self.scored_val_acc[-1] = (self.scored_val_acc[-1] * weight + correct) / (weight + n)
            self.scored_val_weight[-1] = weight + n
        else:
            self.scored_val_steps.append(step)
            self.scored_val_loss.append(loss_sum / n)
            self.scored_val_acc.append(correct / n)
            self.scored_val_weight.append(n)

    def _merge_val(self, chunk: list[tuple[int, float, int]]) -> None:
        """Evaluation calls at the same step form one validation pass (sample-weighted mean)."""
        for step, value, n in chunk:
            if self.val_steps and self.val_steps[-1] == step and self.val_weight:
                weight = self.val_weight[-1]
                self.val_loss[-1] = (self.val_loss[-1] * weight + value * n) / (weight + n)
                self.val_weight[-1] = weight + n
            else:
                self.val_steps.append(step)
                self.val_loss.append(value)
                self.val_weight.append(n)

    def hold_rows(self, x: torch.Tensor) -> None:
        """Note that ``x.shape[0]`` rows of ``x``'s row shape exist (keeps the largest count per row shape)."""
        if x.dim() >= 1:
            key = str(tuple(x.shape[1:]))
            self.rows_held[key] = max(self.rows_held.get(key, 0), int(x.shape[0]))

    def rows_held_like(self, shape: Sequence[int]) -> int:
        """The most rows of the row shape of a batch of ``shape`` that :meth:`hold_rows` noted (0: none)."""
        return self.rows_held.get(str(tuple(shape[1:])), 0)

    def summary(self) -> dict[str, Any]:
        """The series renderers plot and tools read (plain JSON-able values)."""
        return {
            "mode": "watch",
            "every": self.every,
            "steps": self.steps,
            "step_losses": self.train_loss,
            "step_loss_steps": self.train_loss_steps,
            "val_loss": self.val_loss,
            "val_steps": self.val_steps,
            "scored_val_loss": self.scored_val_loss,
            "scored_val_acc": self.scored_val_acc,
            "scored_val_steps": self.scored_val_steps,
            "logged": {k: [list(p) for p in v] for k, v in self.logged.items()},
            "lr": {str(k): v for k, v in self.lr.items()},
            "grad_steps": self.grad_steps,
            "total_grad_norm": self.total_grad_norm,
            "step_grad_norm": self.step_grad_norm,
            "step_grad_steps": self.step_grad_steps,
            "grad_norms": self.grad_norms,
            "grad_norm_steps": self.grad_norm_steps,
            "update_steps": self.update_steps,
            "update_ratios": self.update_ratios,
            "weight_norms": {k: [list(p) for p in v] for k, v in self.weight_norms.items()},
            "dead_share": {k: [list(p) for p in v] for k, v in self.dead_share.items()},
            "saturated_share": {k: [list(p) for p in v] for k, v in self.saturated_share.items()},
            "clip_calls": len(self.clip_calls),
            "late_clip_calls": len(self.late_clip_calls),
            # the bound the loop's latest clip_grad_norm_ call used (fix's trials replay it), None when it never clipped
            "clip_max_norm": self.clip_calls[-1][2] if self.clip_calls else None,
            "counters": dict(self.counters),
            "optimizer_steps": {str(k): v for k, v in self.optimizer_steps.items()},
            "nonfinite": self.nonfinite,
            "limitations": self.limitations,
            "internal_errors": self.internal_errors,
        }
