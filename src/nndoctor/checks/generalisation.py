"""G family: fitting and generalisation, read from the single-batch overfit and the trial.

Train and validation losses come from the trial's fixed sample sets evaluated in eval
mode, so the two are comparable (no dropout on one side only). The checks are adapters:
they build the measurements of ``nndoctor.verdicts.generalisation`` from the probes and return
what its verdicts decide. The trial's length is nndoctor's choice, not the user's run, and
the measurement says so (``length_chosen``, ``trial``).
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import numpy as np
import torch

from ..findings import Finding
from ..probes import overfit as overfit_module
from ..probes.affine import affine_weight_layers
from ..probes.data_audit import class_labels, sample_of
from ..probes.label_probe import token_presence, token_rows
from ..probes.overfit import OverfitResult, overfit_probe
from ..probes.trial import TrialResult, trial_probe
from ..verdicts.curves import (  # noqa: F401  (re-exported: thresholds and helpers the verdicts use)
    COMPARABLE_AT_INIT,
    MIN_VAL_SAMPLES,
    OVERFIT_RISE,
    PARADOX_MAJORITY,
    PARADOX_MARGIN,
    PARADOX_MIN_SUPPORT,
    SUSPICIOUS_RATIO,
    UNDERTRAINED_DROP,
    UNDERTRAINED_MIN_STEPS,
    UNDERTRAINED_P,
    UNDERTRAINED_TAIL,
    PriorEntropy,
    accuracy_paradox,
    overfitting,
    prior_entropy,
    still_falling,
    suspicious_validation,
)
from ..verdicts.generalisation import (  # noqa: F401  (re-exported: thresholds and helpers the verdicts use)
    Attempt,
    ClassRecall,
    FitEvidence,
    TailOfRun,
    TrainValCurves,
    ValidationEvidence,
    accuracy_paradox_verdict,
    overfitting_verdict,
    suspicious_validation_verdict,
    undertrained,
)
from ..verdicts.generalisation import underfitting as underfitting_verdict
from .base import Context, check

# G604: one input column alone predicting the validation classes this well (balanced accuracy)
# means the label leaked into the inputs; wide inputs are screened down to this many columns.
LEAK_SCORE = 0.99
LEAK_COLUMNS = 32


def _trial(ctx: Context) -> TrialResult:
    return ctx.probe("trial", trial_probe)


# -- G601 ----------------------------------------------------------------------------
@check("G601", phase="training")
def overfitting_check(ctx: Context) -> Iterable[Finding]:
    """The trial's train and validation curves, measured the same way on fixed sets."""
    trial = _trial(ctx)
    if not trial.has_val or not trial.train_eval:
        return []
    return overfitting_verdict(TrainValCurves(
        train=tuple(trial.train_eval), val=tuple(trial.val_eval), steps=tuple(trial.eval_steps),
        val_acc=tuple(trial.val_acc), length_chosen=True, last_step=trial.steps, source="trial",
    ))


# -- G602 ----------------------------------------------------------------------------
def fit_evidence(result: OverfitResult, trial_fitted: bool = False) -> FitEvidence:
    """The single-batch overfit as G602's measurement."""
    return FitEvidence(samples=result.samples, reference=result.reference, target_loss=result.target_loss,
                       target_known=getattr(result, "target_known", True), attempts=tuple(result.attempts), trial_fitted=trial_fitted)


def underfitting(result: OverfitResult) -> Finding | None:
    """G602 from the single-batch overfit alone (see the verdict)."""
    return underfitting_verdict(fit_evidence(result))


def trial_fitted(trial: TrialResult, fit_fraction: float) -> bool:
    """The trial's fixed train sample reached the single-batch test's bar (``fit_fraction`` of the
    best constant predictor's loss): the model demonstrably fits training data."""
    losses = [v for v in trial.train_eval if math.isfinite(v)]
    return bool(losses) and trial.reference is not None and trial.reference > 0 and min(losses) <= fit_fraction * trial.reference


def underfitting_finding(ctx: Context) -> Finding | None:
    """The G602 verdict for a checkup: the single-batch test, unless the trial already fitted training data."""
    trial = _trial(ctx)
    if trial_fitted(trial, overfit_module.CONFIG.fit_fraction):
        return None
    result = ctx.probe("overfit", overfit_probe)
    evidence = fit_evidence(result)
    if len(result.attempts) == 1 and not result.attempts[0].fitted:
        evidence = replace(evidence, no_better_lr=no_better_lr(ctx, result.attempts[0].lr))
    batches = ctx.batches("train")
    if batches:
        evidence = replace(evidence, affine_layers=affine_weight_layers(ctx.model_copy(seed=ctx.setup.seed), batches[0][0]))
    return underfitting_verdict(evidence)


def no_better_lr(ctx: Context, user: float | None) -> bool:
    """The range test (already run for the overfit's second attempt) swept its LRs and none made the loss
    fall, or it suggested the user's own LR: no other LR was worth an attempt."""
    from ..probes.lr_range import lr_range_probe

    sweep = ctx.probe("lr_range", lr_range_probe)
    suggestion = getattr(sweep, "suggestion", None)
    if suggestion is None:
        return False
    if suggestion.lr is None:
        return suggestion.min_loss_lr is not None  # swept enough finite points: flat, or rising from the start
    return user is not None and math.isclose(user, suggestion.lr, rel_tol=0.5)


@check("G602", phase="training")
def underfitting_check(ctx: Context) -> Iterable[Finding]:
    finding = underfitting_finding(ctx)
    return [finding] if finding is not None else []


# -- G603 ----------------------------------------------------------------------------
@check("G603", phase="training")
def accuracy_paradox_check(ctx: Context) -> Iterable[Finding]:
    """Per-class recall at the end of the trial, else half-way through it.

    A model still predicting only the majority class after half of nndoctor's trial spent at
    least half its training there: the paradox is the state the setup trains into, even when
    the last steps begin to recall a minority class (a user's shorter run ends in it).
    """
    trial = _trial(ctx)
    found = list(accuracy_paradox_verdict(ClassRecall(trial.recall, trial.support, f"After the trial, {trial.recall_split}",
                                                      trial.recall_split, trial.probability_share, trial.ranking)))
    if found or trial.half_recall is None or trial.half_recall[1] is None:
        return found
    step, half = trial.half_recall
    return accuracy_paradox_verdict(ClassRecall(
        half.recall, half.support, f"Half-way through the trial (step {step} of {trial.steps}), {trial.recall_split}",
        trial.recall_split, half.probability_share, half.ranking))


# -- G604 ----------------------------------------------------------------------------
def soft_targets(y: Any) -> bool:
    """Whether class targets are probability rows that are not one-hot (mixup, smoothing baked into the data).

    Cross-entropy against such rows cannot go below their entropy; one-hot rows score
    exactly like the class indices they encode.
    """
    if not isinstance(y, torch.Tensor) or not y.is_floating_point() or y.dim() < 2 or y.shape[1] < 2:
        return False
    return bool(((y > 1e-6) & (y < 1 - 1e-6)).any())


def _targets_alike(ctx: Context) -> bool:
    """The train and validation batches hold the same kind of target (both soft, or both hard)."""
    train = [y for _, y in ctx.batches("train")]
    val = [y for _, y in ctx.setup.batches("val", limit=2)]
    if not train or not val:
        return True
    return any(soft_targets(y) for y in train) == any(soft_targets(y) for y in val)


@check("G604", phase="training")
def suspicious_validation_check(ctx: Context) -> Iterable[Finding]:
    """Validation better than training in the trial, or validation labels readable off one input column."""
    trial = _trial(ctx)
    val_samples = ctx.setup.data_info("val").n_samples
    if not trial.has_val or trial.diverged_step is not None or (val_samples is not None and val_samples < MIN_VAL_SAMPLES):
        return []
    measured = ValidationEvidence(
        train_loss=trial.train_eval[-1], val_loss=trial.val_eval[-1], where="After the trial",
        train_acc=trial.train_acc[-1], val_acc=trial.val_acc[-1], reference=trial.reference,
        losses_alike=_targets_alike(ctx), train_median=trial.train_median_loss, val_median=trial.val_median_loss,
    )
    return suspicious_validation_verdict(measured)


@check("G604", phase="data", name="generalisation.label_carrying_column")
def label_carrying_column_check(ctx: Context) -> Iterable[Finding]:
    """One input column that alone predicts the labels: a data property, so checkup and run's exam both judge it.

    Scored on the validation rows when there are some, else on held-out training rows (a
    script whose validation never reaches torch as labels): a column that carries the label
    carries it in every split.
    """
    leak = _column_leak(ctx)
    if not leak:
        return []
    return suspicious_validation_verdict(ValidationEvidence(None, None, "In the data", leak=leak))


def single_column_leak(x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray, y_val: np.ndarray) -> dict[str, Any] | None:
    """The input column that alone best predicts the held-out classes, when it does so near-perfectly.

    Real tasks rarely hand the label to one input column; when a one-column decision tree
    fitted on the training rows scores a balanced accuracy of ``LEAK_SCORE`` on validation,
    the column encodes the label (a follow-up measurement, an ID ordered by class, a pixel
    overwritten with the class). Wide inputs are screened first by the correlation ratio
    (between-class share of each column's variance). None when no column does it.
    """
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.tree import DecisionTreeClassifier

    xt, xv = x_train.reshape(len(x_train), -1).astype(float), x_val.reshape(len(x_val), -1).astype(float)
    keep_t, keep_v = np.isfinite(xt).all(axis=1), np.isfinite(xv).all(axis=1)
    xt, yt, xv, yv = xt[keep_t], y_train[keep_t], xv[keep_v], y_val[keep_v]
    if len(yv) < MIN_VAL_SAMPLES or len(np.unique(yv)) < 2 or len(np.unique(yt)) < 2 or xt.shape[1] != xv.shape[1]:
        return None
    columns = np.arange(xt.shape[1])
    if len(columns) > LEAK_COLUMNS:
        total = xt.var(axis=0)
        between = sum((yt == c).mean() * (xt[yt == c].mean(axis=0) - xt.mean(axis=0)) ** 2 for c in np.unique(yt))
        ratio = np.divide(between, total, out=np.zeros_like(total), where=total > 0)
        columns = np.argsort(-ratio)[:LEAK_COLUMNS]
    best, best_score, leaking = None, 0.0, []
    for column in columns:
        tree = DecisionTreeClassifier(min_samples_leaf=2, random_state=0).fit(xt[:, [column]], yt)
        score = float(balanced_accuracy_score(yv, tree.predict(xv[:, [column]])))
        if score >= LEAK_SCORE:
            leaking.append(int(column))
        if score > best_score:
            best, best_score = int(column), score
    if best is None or best_score < LEAK_SCORE:
        return None
    position = np.unravel_index(best, x_train.shape[1:]) if x_train.ndim > 2 else (best,)
    return {"column": best, "position": [int(i) for i in position], "balanced_accuracy": best_score,
            "val_rows": len(yv), "columns_tried": len(columns), "leaking_columns": sorted(leaking)}


def _column_leak(ctx: Context) -> dict[str, Any] | None:
    """``single_column_leak`` on train -> validation rows, or on one half of the training rows -> the other half.

    Rows of token ids read by an embedding are tested as token presence columns: a word that names
    the label can sit anywhere in the row, so no position carries it, but its presence does.
    """
    if ctx.setup.task not in ("binary", "multiclass"):
        return None
    train = sample_of(ctx, "train")
    if train is None or train.x is None or train.x.dtype.kind not in "fiub":
        return None
    y_train = class_labels(train.y, ctx.setup.task)
    if y_train is None or len(y_train) != len(train.x):
        return None
    tokens = token_rows(train, ctx.setup.model)
    val = sample_of(ctx, "val")
    if val is not None and val.x is not None and val.y is not None:  # validation inputs without labels: held-out rows
        y_val = class_labels(val.y, ctx.setup.task)
        if y_val is None or len(y_val) != len(val.x):
            return None
        return _leak_between(train.x, y_train, val.x, y_val, tokens, "validation")
    order = np.random.default_rng(0).permutation(len(y_train))
    fit, held = order[: len(order) // 2], order[len(order) // 2 :]
    return _leak_between(train.x[fit], y_train[fit], train.x[held], y_train[held], tokens, "held-out training rows")


def _leak_between(x_fit: np.ndarray, y_fit: np.ndarray, x_held: np.ndarray, y_held: np.ndarray, tokens: bool,
                  scored_on: str) -> dict[str, Any] | None:
    """``single_column_leak`` on the rows as they are, or on token presence columns for token-id rows."""
    if not tokens:
        found = single_column_leak(x_fit, y_fit, x_held, y_held)
        return {**found, "scored_on": scored_on} if found else None
    if x_fit.ndim != 2 or x_held.ndim != 2 or not len(x_fit) or not len(x_held):
        return None
    fit, held, token_ids = token_presence(x_fit, x_held)
    found = single_column_leak(fit, y_fit, held, y_held)
    if not found:
        return None
    # the column is a presence column of this view, not an input column: the token names it
    return {**found, "column": None, "position": [], "leaking_columns": [], "token": int(token_ids[found["column"]]),
            "tokens": [int(token_ids[c]) for c in found["leaking_columns"]], "scored_on": scored_on}


# -- G605 ----------------------------------------------------------------------------
@check("G605", phase="training")
def undertrained_check(ctx: Context) -> Iterable[Finding]:
    """Info in checkup: the trial is short by design, so this says the real run needs longer than it."""
    trial = _trial(ctx)
    if trial.diverged_step is not None:
        return []
    return undertrained(TailOfRun(tuple(trial.step_losses), trial=True))
