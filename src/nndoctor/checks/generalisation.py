"""G family: fitting and generalisation, read from the single-batch overfit and the trial.

Train and validation losses come from the trial's fixed sample sets evaluated in eval
mode, so the two are comparable (no dropout on one side only). Verdicts are pure
functions of those numbers. The trial's length is nndoctor's choice, not the user's run:
a validation curve that merely turns up within it says where to stop, and only one whose
rise undoes everything validation gained says the setup overfits as a matter of course.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import numpy as np
from scipy import stats

from ..findings import Finding, Severity
from ..probes import overfit as overfit_module
from ..probes.data_audit import class_labels, sample_of
from ..probes.overfit import OverfitResult, overfit_probe
from ..probes.trial import TrialResult, trial_probe
from .base import Context, check
from .optimisation import weights_frozen

# G601: validation loss 10% above its best while train loss kept falling; the untrained model's
# validation loss at most this many times its train loss for the two to be comparable.
OVERFIT_RISE = 0.10
COMPARABLE_AT_INIT = 2.0
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
# G604: one input column alone predicting the validation classes this well (balanced accuracy)
# means the label leaked into the inputs; wide inputs are screened down to this many columns.
LEAK_SCORE = 0.99
LEAK_COLUMNS = 32
# G605: the last 40% of steps still fall significantly, at a pace that would take another tenth off
# the level if the run went on as long again ("would it gain from training longer?").
UNDERTRAINED_TAIL = 0.4
UNDERTRAINED_P = 1e-3
UNDERTRAINED_DROP = 0.1
# Twelve tail points are the fewest for which p < 1e-3 on a straight line means anything.
UNDERTRAINED_MIN_STEPS = 30


def _trial(ctx: Context) -> TrialResult:
    return ctx.probe("trial", trial_probe)


# -- G601 ----------------------------------------------------------------------------
def overfitting(train: Sequence[float], val: Sequence[float], val_acc: Sequence[float | None] = ()) -> dict[str, Any] | None:
    """Evidence that validation loss turned up while train loss kept falling, else None.

    The validation minimum must lie before the last evaluation with later points all 10%
    above it (not one noisy point), the train loss must have fallen since, and (when
    accuracies are known) validation accuracy must have stopped improving: when it still
    rises over the second half of the stretch, the loss is driven by a few outliers.
    ``gave_back`` is the share of validation's fall (start to minimum) that the rise undid.
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
    fell, rose = float(val[0] - val[best]), float(val[-1] - val[best])
    return {"best_step_index": best, "best_val_loss": float(val[best]), "final_val_loss": float(val[-1]),
            "train_loss_at_best": float(train[best]), "final_train_loss": float(train[-1]),
            "start_val_loss": float(val[0]), "gave_back": rose / fell if fell > 0 else math.inf}


@check("G601", phase="training")
def overfitting_check(ctx: Context) -> Iterable[Finding]:
    """Warning when the trial's validation loss rises back to where it started; info when it only turns up.

    Overfitting is a train/validation gap that training creates: when the untrained model
    already scores validation over ``COMPARABLE_AT_INIT`` times worse than training, the two
    sets differ before any learning (shifted or badly scaled validation inputs) and the
    validation curve cannot be read as generalisation.
    """
    trial = _trial(ctx)
    if not trial.has_val or not trial.train_eval or trial.val_eval[0] > COMPARABLE_AT_INIT * trial.train_eval[0]:
        return
    evidence = overfitting(trial.train_eval, trial.val_eval, trial.val_acc)
    if evidence:
        step = trial.eval_steps[evidence["best_step_index"]]
        undone = evidence["gave_back"] >= 1.0
        message = (f"Validation loss bottomed at {evidence['best_val_loss']:.3g} at step {step} and rose to "
                   f"{evidence['final_val_loss']:.3g} while train loss kept falling "
                   f"({evidence['train_loss_at_best']:.3g} → {evidence['final_train_loss']:.3g})")
        if undone:
            message += (f", back above its start {evidence['start_val_loss']:.3g}: the model predicts unseen data no better "
                        "than before training.")
        else:
            message += (f", undoing {evidence['gave_back']:.0%} of what it had gained: a run much longer than "
                        f"{step} steps overfits, so keep the checkpoint with the best validation loss.")
        yield Finding(
            "G601", Severity.WARNING if undone else Severity.INFO, message,
            {**evidence, "best_step": step, "eval_steps": trial.eval_steps},
            location=f"step {step}",
        )


# -- G602 ----------------------------------------------------------------------------
def underfitting(result: OverfitResult, user_lr_code: str | None = None, too_low_code: str = "O402") -> Finding | None:
    """G602 when one batch could not be memorised at the user's LR.

    An attempt stopped by the clock before its step budget, or still falling toward the
    target when the budget ended, proves nothing, so it stays silent.

    When the range test's LR memorises it, the LR is the root cause (``user_lr_code``, else
    O401 for a lower LR and ``too_low_code`` for a higher one) and G602 is its symptom.
    """
    user = result.at_user_lr
    if user.fitted or not user.conclusive:
        return None
    other = result.at_suggested_lr
    evidence = {
        "samples": result.samples, "reference_loss": result.reference, "target_loss": result.target_loss,
        "attempts": [{"lr": a.lr, "source": a.source, "initial_loss": a.initial_loss, "final_loss": a.final_loss,
                      "accuracy": a.accuracy, "steps": a.steps, "diverged": a.diverged, "still_falling": a.still_falling,
                      "curve": a.curve} for a in result.attempts],
    }
    acc = f", accuracy {user.accuracy:.0%}" if user.accuracy is not None else ""
    state = "turned non-finite" if user.diverged else f"went from {user.initial_loss:.3g} to {user.final_loss:.3g}{acc}"
    message = (f"The model cannot memorise a single batch of {result.samples} samples: in {user.steps} steps at your "
               f"LR the loss {state} (fitted means below {result.target_loss:.3g}"
               + (" with every sample right)" if user.accuracy is not None else ")"))
    if other is not None and other.fitted and user.lr is not None and other.lr is not None:
        code = user_lr_code or (too_low_code if other.lr > user.lr else "O401")
        return Finding("G602", Severity.WARNING, message + f"; at lr={other.lr:.2g} it fits, so the LR is the cause.",
                       evidence, explained_by=code)
    if other is not None and not other.conclusive:
        return None
    if other is not None:
        message += f"; at the range test's lr={other.lr:.2g} it reached {other.final_loss:.3g} and did not fit either"
    return Finding("G602", Severity.ERROR, message + ".", evidence)


def trial_fitted(trial: TrialResult, fit_fraction: float) -> bool:
    """The trial's fixed train sample reached the single-batch test's bar (``fit_fraction`` of the
    best constant predictor's loss): the model demonstrably fits training data."""
    losses = [v for v in trial.train_eval if math.isfinite(v)]
    return bool(losses) and trial.reference is not None and trial.reference > 0 and min(losses) <= fit_fraction * trial.reference


def underfitting_finding(ctx: Context) -> Finding | None:
    """The G602 verdict for a checkup: the single-batch test, unless the trial already fitted training data.

    When the weights do not move at all, the plateau (O406) is the LR's finding, so a
    too-low LR is named through it.
    """
    trial = _trial(ctx)
    if trial_fitted(trial, overfit_module.CONFIG.fit_fraction):
        return None
    return underfitting(ctx.probe("overfit", overfit_probe), too_low_code="O406" if weights_frozen(trial) else "O402")


@check("G602", phase="training")
def underfitting_check(ctx: Context) -> Iterable[Finding]:
    finding = underfitting_finding(ctx)
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


def single_column_leak(x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray, y_val: np.ndarray) -> dict[str, Any] | None:
    """The input column that alone best predicts the validation classes, when it does so near-perfectly.

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
    best, best_score = None, 0.0
    for column in columns:
        tree = DecisionTreeClassifier(min_samples_leaf=2, random_state=0).fit(xt[:, [column]], yt)
        score = float(balanced_accuracy_score(yv, tree.predict(xv[:, [column]])))
        if score > best_score:
            best, best_score = int(column), score
    if best is None or best_score < LEAK_SCORE:
        return None
    position = np.unravel_index(best, x_train.shape[1:]) if x_train.ndim > 2 else (best,)
    return {"column": best, "position": [int(i) for i in position], "balanced_accuracy": best_score,
            "val_rows": int(len(yv)), "columns_tried": int(len(columns))}


@check("G604", phase="training")
def suspicious_validation_check(ctx: Context) -> Iterable[Finding]:
    """Validation better than training in the trial, or validation labels readable off one input column."""
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
        return
    leak = _column_leak(ctx)
    if leak:
        where = "column " + str(leak["column"]) if len(leak["position"]) == 1 else f"input position {tuple(leak['position'])}"
        yield Finding(
            "G604", Severity.WARNING,
            f"Input {where} alone predicts the validation labels with balanced accuracy {leak['balanced_accuracy']:.1%} "
            f"({leak['val_rows']} rows; a one-column decision tree fitted on the training rows): the label leaks into the "
            "inputs, so a validation score measures the leak, not the model.",
            leak, location=where,
        )


def _column_leak(ctx: Context) -> dict[str, Any] | None:
    if ctx.setup.task not in ("binary", "multiclass"):
        return None
    train, val = sample_of(ctx, "train"), sample_of(ctx, "val")
    if train is None or val is None or train.x is None or val.x is None or train.x.dtype.kind not in "fiub":
        return None
    y_train, y_val = class_labels(train.y, ctx.setup.task), class_labels(val.y, ctx.setup.task)
    if y_train is None or y_val is None or len(y_train) != len(train.x) or len(y_val) != len(val.x):
        return None
    return single_column_leak(train.x, y_train, val.x, y_val)


# -- G605 ----------------------------------------------------------------------------
def still_falling(step_losses: Sequence[float]) -> dict[str, float] | None:
    """Slope of the last part of the per-step loss when it is still falling significantly.

    ``projected_drop`` is the share of the tail's level that the tail's trend would remove
    over another run of the same length; ``relative_drop_over_tail`` what it removed already.
    """
    values = np.asarray(step_losses, dtype=float)
    if len(values) < UNDERTRAINED_MIN_STEPS or not np.isfinite(values).all():
        return None
    tail = values[-int(len(values) * UNDERTRAINED_TAIL) :]
    fit = stats.linregress(np.arange(len(tail)), tail)
    level = float(np.mean(tail))
    if level <= 0 or fit.slope >= 0 or fit.pvalue > UNDERTRAINED_P:
        return None
    projected = -fit.slope * len(values) / level
    if projected < UNDERTRAINED_DROP:
        return None
    return {"slope_per_step": float(fit.slope), "p_value": float(fit.pvalue), "relative_drop_over_tail": -fit.slope * len(tail) / level,
            "projected_drop": projected, "tail_steps": len(tail), "steps": len(values)}


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
