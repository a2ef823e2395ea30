"""G family: fitting and generalisation, read from the single-batch overfit and the trial.

Train and validation losses come from the trial's fixed sample sets evaluated in eval
mode, so the two are comparable (no dropout on one side only). Verdicts are pure
functions of those numbers.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import numpy as np
from scipy import stats

from ..findings import Finding, Severity
from ..probes.overfit import OverfitResult, overfit_probe
from ..probes.trial import TrialResult, trial_probe
from .base import Context, check

# G601: validation loss 10% above its best while train loss kept falling.
OVERFIT_RISE = 0.10
# G603: a class this size that is never recalled, with accuracy within this of the majority share.
PARADOX_MIN_SUPPORT = 5
PARADOX_MARGIN = 0.02
PARADOX_MAJORITY = 0.5
# G604: validation loss under half the train loss while train is still far from fitted,
# or near-perfect validation accuracy with clearly imperfect train accuracy.
SUSPICIOUS_RATIO = 0.5
NONTRIVIAL_TRAIN = 0.2
NEAR_PERFECT = 0.99
IMPERFECT_TRAIN = 0.9
MIN_VAL_SAMPLES = 30
# G605: the last 40% of steps still fall significantly and by a tenth of the level.
UNDERTRAINED_TAIL = 0.4
UNDERTRAINED_P = 1e-3
UNDERTRAINED_DROP = 0.1


def _trial(ctx: Context) -> TrialResult:
    return ctx.probe("trial", trial_probe)


# -- G601 ----------------------------------------------------------------------------
def overfitting(train: Sequence[float], val: Sequence[float], val_acc: Sequence[float | None] = ()) -> dict[str, Any] | None:
    """Evidence that validation loss turned up while train loss kept falling, else None.

    The validation minimum must lie before the last evaluation with later points all 10%
    above it (not one noisy point), the train loss must have fallen since, and (when
    accuracies are known) validation accuracy must have stopped improving: when it still
    rises over the second half of the stretch, the loss is driven by a few outliers.
    """
    train, val = np.asarray(train, dtype=float), np.asarray(val, dtype=float)
    if len(val) < 5 or len(train) != len(val) or not (np.isfinite(train).all() and np.isfinite(val).all()):
        return None
    best = int(np.argmin(val))
    tail = val[best + 1 :]
    if len(tail) < 2 or tail[-2:].min() < (1 + OVERFIT_RISE) * val[best] or train[-1] >= train[best]:
        return None
    accs = [a for a in val_acc if a is not None]
    midway = (best + len(val)) // 2
    if len(accs) == len(val) and accs[-1] > accs[midway] + 0.01:
        return None
    return {"best_step_index": best, "best_val_loss": float(val[best]), "final_val_loss": float(val[-1]),
            "train_loss_at_best": float(train[best]), "final_train_loss": float(train[-1])}


@check("G601", phase="training")
def overfitting_check(ctx: Context) -> Iterable[Finding]:
    trial = _trial(ctx)
    if not trial.has_val:
        return
    evidence = overfitting(trial.train_eval, trial.val_eval, trial.val_acc)
    if evidence:
        step = trial.eval_steps[evidence["best_step_index"]]
        yield Finding(
            "G601", Severity.WARNING,
            f"Validation loss bottomed at {evidence['best_val_loss']:.3g} at step {step} and rose to "
            f"{evidence['final_val_loss']:.3g} while train loss kept falling "
            f"({evidence['train_loss_at_best']:.3g} → {evidence['final_train_loss']:.3g}).",
            {**evidence, "best_step": step, "eval_steps": trial.eval_steps},
            location=f"step {step}",
        )


# -- G602 ----------------------------------------------------------------------------
def underfitting(result: OverfitResult, user_lr_code: str | None = None) -> Finding | None:
    """G602 when one batch could not be memorised at the user's LR.

    An attempt stopped by the clock before its step budget proves nothing, so it stays silent.

    When the range test's LR memorises it, the LR is the root cause (``user_lr_code``,
    O401 or O402) and G602 is reported as its symptom.
    """
    user = result.at_user_lr
    if user.fitted or not user.conclusive:
        return None
    other = result.at_suggested_lr
    evidence = {
        "samples": result.samples, "reference_loss": result.reference, "target_loss": result.target_loss,
        "attempts": [{"lr": a.lr, "source": a.source, "initial_loss": a.initial_loss, "final_loss": a.final_loss,
                      "accuracy": a.accuracy, "steps": a.steps, "diverged": a.diverged} for a in result.attempts],
    }
    acc = f", accuracy {user.accuracy:.0%}" if user.accuracy is not None else ""
    state = "turned non-finite" if user.diverged else f"went from {user.initial_loss:.3g} to {user.final_loss:.3g}{acc}"
    message = (f"The model cannot memorise a single batch of {result.samples} samples: in {user.steps} steps at your "
               f"LR the loss {state} (fitted means below {result.target_loss:.3g}"
               + (" with every sample right)" if user.accuracy is not None else ")"))
    if other is not None and other.fitted and user.lr is not None and other.lr is not None:
        code = user_lr_code or ("O402" if other.lr > user.lr else "O401")
        return Finding("G602", Severity.WARNING, message + f"; at lr={other.lr:.2g} it fits, so the LR is the cause.",
                       evidence, explained_by=code)
    if other is not None and not other.conclusive:
        return None
    if other is not None:
        message += f"; at the range test's lr={other.lr:.2g} it reached {other.final_loss:.3g} and did not fit either"
    return Finding("G602", Severity.ERROR, message + ".", evidence)


@check("G602", phase="training")
def underfitting_check(ctx: Context) -> Iterable[Finding]:
    finding = underfitting(ctx.probe("overfit", overfit_probe))
    if finding is not None:
        yield finding


# -- G603 ----------------------------------------------------------------------------
def accuracy_paradox(recall: dict[int, float], support: dict[int, int]) -> dict[str, Any] | None:
    """Classes never recalled while accuracy is no better than predicting the majority."""
    total = sum(support.values())
    if not total or len(support) < 2:
        return None
    majority = max(support.values()) / total
    acc = sum(recall[c] * support[c] for c in support) / total
    ignored = [c for c in support if support[c] >= PARADOX_MIN_SUPPORT and recall.get(c, 0.0) == 0.0]
    if not ignored or majority < PARADOX_MAJORITY or acc > majority + PARADOX_MARGIN:
        return None
    return {"accuracy": acc, "majority_share": majority, "never_predicted": ignored,
            "recall": recall, "support": support}


@check("G603", phase="training")
def accuracy_paradox_check(ctx: Context) -> Iterable[Finding]:
    trial = _trial(ctx)
    evidence = accuracy_paradox(trial.recall, trial.support)
    if evidence:
        yield Finding(
            "G603", Severity.WARNING,
            f"After the trial, {trial.recall_split} accuracy is {evidence['accuracy']:.1%}, about the majority class's share "
            f"{evidence['majority_share']:.1%}, and class(es) {evidence['never_predicted']} are never recognised (recall 0).",
            {**evidence, "split": trial.recall_split},
        )


# -- G604 ----------------------------------------------------------------------------
def suspicious_validation(train_loss: float, val_loss: float, train_acc: float | None, val_acc: float | None,
                          reference: float | None) -> str | None:
    """Why the validation numbers look too good to be true, else None."""
    if not (math.isfinite(train_loss) and math.isfinite(val_loss)):
        return None
    nontrivial = reference is None or train_loss >= NONTRIVIAL_TRAIN * reference
    if nontrivial and val_loss < SUSPICIOUS_RATIO * train_loss:
        return f"validation loss {val_loss:.3g} is under half the train loss {train_loss:.3g}"
    if val_acc is not None and train_acc is not None and val_acc >= NEAR_PERFECT and train_acc <= IMPERFECT_TRAIN:
        return f"validation accuracy is {val_acc:.1%} while train accuracy is only {train_acc:.1%}"
    return None


@check("G604", phase="training")
def suspicious_validation_check(ctx: Context) -> Iterable[Finding]:
    trial = _trial(ctx)
    val_samples = ctx.setup.data_info("val").n_samples
    if not trial.has_val or trial.diverged_step is not None or (val_samples is not None and val_samples < MIN_VAL_SAMPLES):
        return
    why = suspicious_validation(trial.train_eval[-1], trial.val_eval[-1], trial.train_acc[-1], trial.val_acc[-1], trial.reference)
    if why:
        yield Finding(
            "G604", Severity.WARNING,
            f"After the trial, {why} (both measured the same way, in eval mode): the validation set looks easier "
            "than the training set, or overlaps it.",
            {"train_loss": trial.train_eval[-1], "val_loss": trial.val_eval[-1], "train_acc": trial.train_acc[-1],
             "val_acc": trial.val_acc[-1], "reference": trial.reference},
        )


# -- G605 ----------------------------------------------------------------------------
def still_falling(step_losses: Sequence[float]) -> dict[str, float] | None:
    """Slope of the last part of the per-step loss when it is still falling significantly."""
    values = np.asarray(step_losses, dtype=float)
    if len(values) < 50 or not np.isfinite(values).all():
        return None
    tail = values[-int(len(values) * UNDERTRAINED_TAIL) :]
    fit = stats.linregress(np.arange(len(tail)), tail)
    level = float(np.mean(tail))
    drop = -fit.slope * len(tail) / level if level > 0 else 0.0
    if fit.slope >= 0 or fit.pvalue > UNDERTRAINED_P or drop < UNDERTRAINED_DROP:
        return None
    return {"slope_per_step": float(fit.slope), "p_value": float(fit.pvalue), "relative_drop_over_tail": drop, "tail_steps": len(tail)}


@check("G605", phase="training")
def undertrained_check(ctx: Context) -> Iterable[Finding]:
    """Info in checkup: the trial is short by design, so this says the real run needs longer than it."""
    trial = _trial(ctx)
    if trial.diverged_step is not None:
        return
    evidence = still_falling(trial.step_losses)
    if evidence:
        yield Finding(
            "G605", Severity.INFO,
            f"The train loss was still falling steadily at the end of the {trial.steps}-step trial "
            f"({evidence['relative_drop_over_tail']:.0%} over its last {evidence['tail_steps']} steps, p={evidence['p_value']:.1g}): "
            "plan a training run much longer than this.",
            evidence,
        )
