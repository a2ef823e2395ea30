"""Trials: equal-budget, seeded training runs of the baseline and of each candidate remedy.

Every run trains a fresh copy for the same number of optimizer steps on its own training
loader, with the global RNGs seeded (same seed = same data order and dropout masks for
baseline and candidate), then scores the validation split (the training split when there
is none) in eval mode:

* the task metric, higher is better: balanced accuracy (mean per-class recall, so predicting
  only the majority class scores chance) for classification, R² for regression;
* the validation loss under the *baseline's* loss when the remedy leaves the outputs' meaning
  unchanged, otherwise under the candidate's own loss (flagged as not comparable).

A candidate flagged ``equal_samples`` (smaller batches) is compared with a baseline run that
sees as many samples as it does (:func:`paired_baseline_steps`: the same epochs, so the
candidate gets more steps by design); one flagged
``restore_best`` (early stopping) evaluates the validation loss ``ES_EVALS`` times and ends
with its best weights, within the same budget.

A run's length is its step count, never a time: the wall clock (``deadline``) is only a
safety net that abandons a run as inconclusive (:class:`~nndoctor.checks.base.Inconclusive`).
"""
from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from sklearn.metrics import average_precision_score, balanced_accuracy_score, r2_score
from torch import nn
from torch.utils.data import DataLoader

from ..checks.base import check_deadline
from ..probes.trial import endless_batches
from ..record import Recorder
from ..rng import seed_everything
from ..setup import Setup, batch_size_of, move_to
from .candidate import Candidate
from .transforms import loader_batch_size

EVAL_BATCHES = 64
ES_EVALS = 20
# Multi-label targets are mostly rare per label: a thresholded score there reads where each label's bias puts the
# threshold (an output bias at +3 predicts every label and scores half of balanced accuracy), a rank score reads
# what the model learned; average precision is the task's usual one, averaged over the labels validation holds.
METRIC_NAMES = {"regression": "r2", "multilabel": "average_precision"}


def metric_name(task: str) -> str:
    return METRIC_NAMES.get(task, "balanced_accuracy")


@dataclass
class TrialScore:
    """One seeded run: its validation metric and loss (None when it diverged)."""

    seed: int
    steps: int
    seconds: float
    train_seconds: float
    metric: float | None
    val_loss: float | None
    diverged: bool
    split: str
    train_losses: list[float] = field(default_factory=list)


def _loss_reads_probabilities(loss: Any) -> bool:
    return type(loss).__name__ in ("BCELoss",)


def predicted_classes(setup: Setup, output: torch.Tensor, classes_seen: np.ndarray) -> np.ndarray:
    """Class predictions from outputs the way the setup's loss reads them.

    Several outputs: argmax. One output: thresholded (0.5 for probabilities, 0 for logits) for
    binary tasks, rounded to the nearest class index for multi-class (a regression on labels).
    """
    out = output.detach().float().cpu()
    if out.dim() > 1 and out.shape[-1] == 1:
        out = out.squeeze(-1)
    if out.dim() > 1:
        return out.argmax(dim=-1).numpy()
    if setup.task == "binary":
        threshold = 0.5 if _loss_reads_probabilities(setup.loss) else 0.0
        return (out > threshold).long().numpy()
    low, high = (int(classes_seen.min()), int(classes_seen.max())) if classes_seen.size else (0, 1)
    return np.clip(np.rint(out.numpy()), low, high).astype(int)


def _per_position_classes(setup: Setup, outputs: torch.Tensor, y: torch.Tensor) -> tuple[np.ndarray, np.ndarray] | None:
    """(labels, predictions) per position when each sample holds a label per token or pixel (a language model's
    (batch, time) targets), with the class axis last or, as torch's losses take it, second; positions labelled
    with the loss's ``ignore_index`` (-100 by default: padding) are left out. None for one label per sample."""
    if y.dim() < 2 or y.is_floating_point() or outputs.dim() != y.dim() + 1:
        return None
    if tuple(outputs.shape[:-1]) == tuple(y.shape):
        predicted = outputs.argmax(dim=-1)
    elif (outputs.shape[0], *outputs.shape[2:]) == tuple(y.shape):
        predicted = outputs.argmax(dim=1)
    else:
        return None
    truth, predicted = y.reshape(-1).long(), predicted.reshape(-1)
    kept = truth != int(getattr(setup.loss, "ignore_index", -100))
    return truth[kept].numpy(), predicted[kept].numpy()


def score_outputs(setup: Setup, outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Balanced accuracy (classification), average precision (multi-label) or R² (regression); NaN when outputs are
    not finite."""
    if not bool(torch.isfinite(outputs).all()):
        return math.nan
    y = targets.detach().cpu()
    if setup.task == "regression":
        from ..look.predict import predicted_values

        values = predicted_values(setup, outputs)  # the rate exp(output) under a Poisson loss on log-rates
        if values is not None and not bool(torch.isfinite(values).all()):
            return math.nan
        out = (outputs if values is None else values).detach().float().cpu().reshape(len(y), -1).numpy()
        return float(r2_score(y.float().reshape(len(y), -1).numpy(), out))
    if setup.task == "multilabel":
        truth = (y.reshape(len(y), -1).float() > 0.5).long().numpy()
        scores = outputs.detach().float().cpu().reshape(len(y), -1).numpy()
        held = [j for j in range(truth.shape[1]) if 0 < truth[:, j].sum() < len(truth)]
        return float(np.mean([average_precision_score(truth[:, j], scores[:, j]) for j in held])) if held else math.nan
    per_position = _per_position_classes(setup, outputs.detach().float().cpu(), y)
    if per_position is not None:
        return float(balanced_accuracy_score(*per_position))
    if setup.task == "binary" and outputs.numel() == y.numel() > len(y):  # a binary label per pixel (a mask)
        truth = (y.reshape(-1).float() > 0.5).long().numpy()
        return float(balanced_accuracy_score(truth, predicted_classes(setup, outputs.reshape(-1), np.array([0, 1]))))
    truth = (y.argmax(dim=1) if y.dim() == 2 and y.shape[1] > 1 else y.reshape(-1)).long().numpy()
    if setup.task == "binary":
        truth = (truth > 0).astype(int)
    pred = predicted_classes(setup, outputs, np.unique(truth))
    return float(balanced_accuracy_score(truth, pred))


def scored_split(setup: Setup) -> str:
    """The split trials are scored on: validation when it has labels, else the training split."""
    return "val" if setup.val_loader is not None and setup.val_labelled else "train"


def evaluate(candidate: Candidate, baseline: Setup, model: nn.Module) -> tuple[float, float | None, str]:
    """(metric, loss, split) of ``model`` on the candidate's validation split (train if none, or if it is known by
    its inputs alone: unlabelled rows cannot be scored)."""
    setup = candidate.setup
    split = scored_split(setup)
    loss_fn = baseline.compute_loss if candidate.loss_comparable else setup.compute_loss
    outputs, targets, total, count = [], [], 0.0, 0
    model.eval()
    with torch.no_grad():
        for x, y in setup.batches(split, limit=EVAL_BATCHES):
            x, y = move_to(x, setup.device), move_to(y, setup.device)
            out = model(x)
            n = batch_size_of(x)
            try:
                total += float(loss_fn(out, y)) * n
            except Exception:
                total = math.nan
            count += n
            outputs.append(out.detach().cpu())
            targets.append(y.detach().cpu())
    model.train()
    metric = score_outputs(setup, torch.cat(outputs), torch.cat(targets))
    loss = total / max(count, 1)
    return metric, (loss if math.isfinite(loss) else None), split


def paired_baseline_steps(candidate: Candidate, baseline: Setup, steps: int) -> int:
    """Steps of the baseline run that ``candidate``'s ``steps``-step run is compared with.

    The same ``steps``, except for an ``equal_samples`` candidate (smaller batches): then the
    budget is the samples the candidate sees, and the baseline runs as many steps of its own
    batches as see that many samples (rounded up, at least one), so both arms train the same
    number of epochs on the same compute and the candidate gets more steps by design.
    """
    if not candidate.equal_samples:
        return steps
    base, mine = samples_per_step(baseline.train_loader), samples_per_step(candidate.setup.train_loader)
    if not base or not mine:
        return steps
    return max(1, -(-steps * mine // base))


def samples_per_step(loader: Any) -> int | None:
    """Samples in a full batch: the batch size, or the whole dataset when that is smaller (None when unknown)."""
    size = loader_batch_size(loader) if isinstance(loader, DataLoader) else getattr(loader, "batch_size", None)
    if not size:
        return None
    try:
        return min(int(size), len(loader.dataset))
    except TypeError:  # a dataset without a length (a stream)
        return int(size)


def validation_loss(setup: Setup, model: nn.Module, limit: int = EVAL_BATCHES) -> float:
    """Mean loss of ``model`` (eval mode, no grad) on the validation split (see :func:`scored_split`); inf when not finite."""
    split = scored_split(setup)
    total, count = 0.0, 0
    model.eval()
    with torch.no_grad():
        for x, y in setup.batches(split, limit=limit):
            x, y = move_to(x, setup.device), move_to(y, setup.device)
            n = batch_size_of(x)
            total += float(setup.compute_loss(model(x), y)) * n
            count += n
    model.train()
    loss = total / max(count, 1)
    return loss if math.isfinite(loss) else math.inf


class BestWeights:
    """Early stopping within a run: the weights at the lowest validation loss seen so far."""

    def __init__(self, setup: Setup, steps: int) -> None:
        self.setup, self.every = setup, max(1, steps // ES_EVALS)
        self.loss, self.state, self.step = math.inf, None, 0

    def see(self, step: int, model: nn.Module, last: bool) -> None:
        if step % self.every and not last:
            return
        loss = validation_loss(self.setup, model)
        if loss < self.loss:
            self.loss, self.step = loss, step
            self.state = {k: v.detach().clone() for k, v in model.state_dict().items()}

    def restore(self, model: nn.Module) -> None:
        if self.state is not None:
            model.load_state_dict(self.state)


def run_trial(
    candidate: Candidate, baseline: Setup, seed: int, steps: int, deadline: float | None = None, **options: Any,
) -> TrialScore:
    """Train a fresh copy of the candidate's model for ``steps`` steps with ``seed``; score it.

    Past ``deadline`` (a ``time.perf_counter()`` instant: the safety net) it raises
    :class:`~nndoctor.checks.base.Inconclusive` rather than score a shorter run. ``options`` are
    :func:`train_trial`'s (``watcher``, ``checkpoint``, ``checkpoint_every``, ``on_step``); only the
    score is kept, the trained model is dropped.
    """
    return train_trial(candidate, baseline, seed, steps, deadline, **options)[0]


def train_trial(
    candidate: Candidate, baseline: Setup, seed: int, steps: int, deadline: float | None = None, *,
    on_step: Callable[[int, nn.Module], None] | None = None,
    watcher: Callable[[nn.Module, torch.optim.Optimizer], contextlib.AbstractContextManager[Any]] | None = None,
    checkpoint: Callable[[int, nn.Module, list[float]], None] | None = None, checkpoint_every: int = 0,
) -> tuple[TrialScore, nn.Module]:
    """:func:`run_trial`, also returning the trained model (in eval mode); ``on_step(step, model)`` runs after each step."""
    setup = candidate.setup
    best = BestWeights(setup, steps) if candidate.restore_best else None
    started = time.perf_counter()
    seed_everything(seed)
    model = setup.fresh_model()
    model.train()
    optimizer = setup.make_optimizer(model)
    scheduler = setup.scheduler(optimizer, steps) if setup.scheduler is not None else None
    recorder = Recorder(model, optimizer, setup.training_loss, clip_norm=candidate.clip_norm,
                        input_loss=candidate.train_loss, backward_nonfinite=watcher is not None)
    batches = endless_batches(setup)
    with watcher(model, optimizer) if watcher is not None else contextlib.nullcontext():
        for done in range(1, steps + 1):
            check_deadline(deadline, f"{candidate.remedy} trial (seed {seed}, step {done} of {steps})")
            batch = next(batches, None)
            if batch is None:
                break
            if not math.isfinite(recorder.step(*batch)):
                break
            if scheduler is not None:
                scheduler.step()  # the setup's schedule, once per batch
            if best is not None:
                best.see(done, model, done == steps)
            if on_step is not None:
                on_step(done, model)
            if checkpoint is not None and checkpoint_every > 0 and done % checkpoint_every == 0 and done < steps:
                checkpoint(done, model, recorder.record.step_losses)
    record = recorder.record
    done, losses, diverged = record.steps, record.step_losses, record.diverged_step is not None
    if best is not None and not diverged:
        best.restore(model)
    trained = time.perf_counter() - started
    metric, val_loss, split = evaluate(candidate, baseline, model)
    seconds = time.perf_counter() - started
    model.eval()
    if diverged or not math.isfinite(metric):
        return TrialScore(seed, done, seconds, trained, None, None, True, split, losses), model
    return TrialScore(seed, done, seconds, trained, metric, val_loss, False, split, losses), model


def baseline_candidate(setup: Setup, clip_norm: float | None = None) -> Candidate:
    """The unchanged setup, run through the same trial loop (clipping the gradient norm as the user's loop does)."""
    return Candidate("baseline", "unchanged setup", setup, "", clip_norm=clip_norm)
