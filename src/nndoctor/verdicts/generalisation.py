"""Verdicts on generalisation (G601-G605): overfitting, underfitting, the accuracy paradox, suspicious validation, undertraining.

The measurements are the dataclasses beside each verdict; the curve measures they share live in :mod:`.curves`.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..findings import Finding, Severity
from . import verdict
from .curves import (
    COMPARABLE_AT_INIT,
    DROPOUT_RATIO,
    FIT_SHARE,
    OVERFIT_RISE,
    TOO_LOW_FACTOR,
    UNDERFIT_SHARE,
    UNDERTRAINED_TAIL,
    PriorEntropy,
    accuracy_paradox,
    memorising_gap,
    overfitting,
    probabilities_serve,
    still_falling,
    suspicious_validation,
)


@dataclass(frozen=True)
class TrainValCurves:
    """Train and validation losses at the same points (``steps``), in the same units.

    ``length_chosen``: nndoctor chose the run's length (checkup's trial), so a validation
    curve that merely turns up within it says where to stop, and only one whose rise undoes
    everything validation gained says the setup overfits as a matter of course.
    ``restored_at``: the step at which the run loaded weights back after its last update.
    ``source``: where the validation losses came from.
    ``reference``: the constant predictor's loss in the units of both curves, when their levels
    are comparable (same loss on the same kind of target); it enables the wide-gap reading.
    """

    train: tuple[float, ...]
    val: tuple[float, ...]
    steps: tuple[int, ...]
    val_acc: tuple[float | None, ...] = ()
    length_chosen: bool = False
    restored_at: int | None = None
    last_step: int | None = None
    source: str = "measured"
    reference: float | None = None
    # the validation loss weighs its terms otherwise than the training loss (class weights on one side only): it
    # scores another objective, which training may trade away by design; ``train_reference``: the constant predictor's
    # training loss, to tell that trade from memorising (a train loss under FIT_SHARE of it has fit the training set)
    other_weights: bool = False
    train_reference: float | None = None


@verdict("G601")
def overfitting_verdict(m: TrainValCurves) -> Iterable[Finding]:
    """Validation loss turned up while train loss kept falling, or stopped improving far above it.

    Overfitting is a gap that training creates: when the untrained model already scores
    validation over ``COMPARABLE_AT_INIT`` times worse than training, the two sets differ
    before any learning and the validation curve cannot be read as generalisation.
    """
    keep = [i for i, (a, b) in enumerate(zip(m.train, m.val)) if math.isfinite(a) and math.isfinite(b)]
    if not keep:
        return
    train, val = [m.train[i] for i in keep], [m.val[i] for i in keep]
    if val[0] > COMPARABLE_AT_INIT * train[0] and m.length_chosen:
        return
    accs = [m.val_acc[i] for i in keep] if len(m.val_acc) == len(m.val) else []
    evidence = overfitting(train, val, accs)
    if not evidence:
        if val[0] <= COMPARABLE_AT_INIT * train[0]:
            yield from _wide_gap(m, train, val, keep)
        return
    step = m.steps[keep[evidence["best_step_index"]]]
    message = (f"Validation loss bottomed at {evidence['best_val_loss']:.3g} at step {step} and rose to "
               f"{evidence['final_val_loss']:.3g} while train loss kept falling "
               f"({evidence['train_loss_at_best']:.3g} → {evidence['final_train_loss']:.3g})")
    severity = Severity.WARNING
    if m.length_chosen:
        undone = evidence["gave_back"] >= 1.0
        if undone:
            message += (f", back above its start {evidence['start_val_loss']:.3g}: the model predicts unseen data no better "
                        "than before training.")
        else:
            severity = Severity.INFO
            message += (f", undoing {evidence['gave_back']:.0%} of what it had gained: a run much longer than "
                        f"{step} steps overfits, so keep the checkpoint with the best validation loss.")
    else:
        restored = m.restored_at is not None and m.last_step is not None and m.restored_at >= m.last_step and m.restored_at > step
        if restored:
            severity = Severity.INFO
            message += ("; the run then loaded saved weights back into the model (early stopping), so the model it ends with is "
                        "not the overfitted one.")
        elif m.other_weights and not _memorised(evidence["final_train_loss"], m.train_reference):
            severity = Severity.INFO
            message += ("; but validation is scored without the class weights training minimises (or with others): "
                        "the weights trade the common class's likelihood for the rare one's, which raises that loss "
                        "without any memorising. Score validation with the training loss's weights, or by recall.")
        elif evidence["gave_back"] < OVERFIT_RISE:  # a rise that is large only next to a near-zero minimum
            severity = Severity.INFO
            message += (f", giving back only {evidence['gave_back']:.1%} of what validation had gained since the start "
                        f"({evidence['start_val_loss']:.3g}): mild; keep the checkpoint with the best validation loss.")
        else:
            message += "."
    yield Finding("G601", severity, message,
                  {**evidence, "best_step": step, "eval_steps": list(m.steps), "val_source": m.source,
                   "restored_at": m.restored_at, "other_weights": m.other_weights},
                  location=f"step {step}")


def _memorised(final_train: float, reference: float | None) -> bool:
    """Whether the train loss fell under ``FIT_SHARE`` of the constant predictor's: the model fit its training set."""
    return reference is not None and reference > 0 and final_train < FIT_SHARE * reference


def _wide_gap(m: TrainValCurves, train: list[float], val: list[float], keep: list[int]) -> Iterable[Finding]:
    """G601's other half: validation flat over the last evaluations while train loss sits far below it."""
    gap = memorising_gap(train, val, m.reference)
    if gap is None:
        return
    step = m.steps[keep[gap["tail_start_index"]]]
    yield Finding(
        "G601", Severity.WARNING,
        f"Validation loss stopped improving from step {step} on (about {gap['val_level']:.3g}) while train loss fell to "
        f"{gap['final_train_loss']:.3g}, {gap['ratio']:.3g} times lower: a gap of {gap['gap_share_of_reference']:.0%} of what "
        f"predicting the constant best guess scores ({gap['reference']:.3g}). The later epochs memorise the training set "
        "without helping validation.",
        {**gap, "kind": "gap", "since_step": step, "eval_steps": list(m.steps), "val_source": m.source},
        location=f"step {step}")


# -- G602 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Attempt:
    """One single-batch fit: at which LR, from where, and how it ended."""

    lr: float | None
    source: str
    initial_loss: float
    final_loss: float
    accuracy: float | None
    steps: int
    fitted: bool
    diverged: bool
    conclusive: bool
    still_falling: bool = False
    curve: tuple = ()


@dataclass(frozen=True)
class FitEvidence:
    """Whether the model can fit its training data.

    Checkup: the single-batch overfit (``attempts``, the user's LR first; ``target_loss``
    is "fitted"; ``target_known`` False when no target in the loss's own units exists, and
    the test then proves nothing), and whether the trial already fitted its training sample
    (``trial_fitted``).
    Watch: the final train loss against the constant predictor's (``reference``, in the
    loss's own units), ``prior`` when the reference is a label entropy counted from a sample.
    """

    samples: int = 0
    reference: float | None = None
    target_loss: float | None = None
    target_known: bool = True
    attempts: tuple[Attempt, ...] = ()
    trial_fitted: bool = False
    final_loss: float | None = None
    steps: int = 0
    prior: PriorEntropy | None = None
    still_falling: bool = False
    # checkup: the range test found no LR that made the loss fall, or suggested the user's own: the one attempt
    # at the user's LR then speaks for every LR (no second attempt was worth making)
    no_better_lr: bool = False
    # checkup: the weight layers of a network measured to be one affine map of its inputs (probes.affine), else 0;
    # such a stack memorises a batch no larger than its inputs are wide, which says nothing of its capacity
    affine_layers: int = 0
    # watch, a regression loss: the typical (median) batch loss at the end of the run and at the constant predictor's
    # level (batches drawn from the targets the loss was given). A heavy-tailed target keeps the mean near the constant's while
    # the typical batch has come down: its outliers are noise no model predicts, not a failure to fit.
    typical_final: float | None = None
    typical_reference: float | None = None


@verdict("G602")
def underfitting(m: FitEvidence) -> Finding | None:
    """The model cannot fit even its training data.

    Checkup: one batch could not be memorised at the user's LR. An attempt stopped by the
    clock, or still falling toward the target when its budget ended, proves nothing; nor does
    a target not in the loss's own units, nor a fit that a few times the LR (under
    ``TOO_LOW_FACTOR``) achieves in the same steps, which the user's LR achieves in a few times more. When the range test's LR memorises it, the LR is
    the root cause and G602 its symptom (``evidence["lr_cause"]`` names the LR's code). Watch: the run ends with the train loss still at
    ``UNDERFIT_SHARE`` or more of the constant predictor's (the most it can be, given the
    labels counted). A train loss still falling when the run ended (``still_falling``, G605's
    reading) has not stayed high, only not come down yet: advice (info), not a fault.
    """
    if m.attempts:
        user = m.attempts[0]
        if m.affine_layers >= 2 and not m.trial_fitted:
            # memorised or not, the batch is no test of its capacity: a linear map fits as many rows as it has inputs,
            # and one that did not fit its training data has the missing activation for its cause
            return _one_linear_map(m)
        if m.trial_fitted or not m.target_known or user.fitted or not user.conclusive or m.target_loss is None:
            return None
        other = m.attempts[1] if len(m.attempts) > 1 else None  # the range test's LR, else a decade from the user's
        evidence = {
            "samples": m.samples, "reference_loss": m.reference, "target_loss": m.target_loss,
            "attempts": [{"lr": a.lr, "source": a.source, "initial_loss": a.initial_loss, "final_loss": a.final_loss,
                          "accuracy": a.accuracy, "steps": a.steps, "diverged": a.diverged, "still_falling": a.still_falling,
                          "curve": list(a.curve)} for a in m.attempts],
        }
        acc = f", accuracy {user.accuracy:.0%}" if user.accuracy is not None else ""
        state = "turned non-finite" if user.diverged else f"went from {user.initial_loss:.3g} to {user.final_loss:.3g}{acc}"
        message = (f"The model cannot memorise a single batch of {m.samples} samples: in {user.steps} steps at your "
                   f"LR the loss {state} (fitted means below {m.target_loss:.3g}"
                   + (" with every sample right)" if user.accuracy is not None else ")"))
        if other is not None and other.fitted and user.lr is not None and other.lr is not None:
            if user.lr < other.lr < TOO_LOW_FACTOR * user.lr:
                return None  # a few times the step size fits it: the same fit at your LR only needs more steps
            # the probe itself measured the cause: diagnosis.rank links G602 under the code named here when present
            code = "O402" if other.lr > user.lr else "O401"
            return Finding("G602", Severity.WARNING, message + f"; at lr={other.lr:.2g} it fits, so the LR is the cause.",
                           {**evidence, "fitted_at_lr": other.lr, "lr_cause": code})
        if other is not None and not other.conclusive:
            return None
        if other is not None:
            where = "the range test's" if other.source == "suggested" else "a decade away,"
            message += f"; at {where} lr={other.lr:.2g} it reached {other.final_loss:.3g} and did not fit either"
        # "at any LR" only when a second LR was tried or the range test offered none better: one failed attempt
        # at the user's LR alone may be that LR's doing
        return Finding("G602", Severity.ERROR, message + ".", {**evidence, "at_any_lr": other is not None or m.no_better_lr})
    reference, end = m.reference, m.final_loss
    if reference is None or reference <= 0 or end is None or not math.isfinite(end) or end < UNDERFIT_SHARE * reference:
        return None
    if m.typical_final is not None and m.typical_reference and m.typical_final < UNDERFIT_SHARE * m.typical_reference:
        return None  # the typical batch fits; the mean is held up by a heavy tail
    prior = m.prior
    sampled = prior is not None and prior.upper > prior.estimate
    return Finding(
        "G602", Severity.INFO if m.still_falling else Severity.WARNING,
        f"After {m.steps} steps the train loss is {end:.3g}, still {end / reference:.0%} of what predicting the "
        f"constant best guess scores ({'at most ' if sampled else ''}{reference:.3g}"
        + (f" given {prior.samples} labels over {prior.classes} classes" if sampled and prior is not None else "")
        + ("), but it was still falling when the run ended: train longer before concluding the model cannot fit."
           if m.still_falling else "): the model does not fit the training data."),
        {"final_train_loss": end, "reference": reference, "steps": m.steps, "still_falling": m.still_falling,
         **({"prior_estimate": prior.estimate, "labels_counted": prior.samples, "unseen_mass": prior.unseen_mass}
            if prior is not None else {})},
    )


def _one_linear_map(m: FitEvidence) -> Finding:
    """G602 for a stack of weight layers that is one affine map of its inputs and did not fit its training data.

    An error, as the single-batch test's failure at every LR is: no LR, length or regularisation gives a linear map
    the capacity it lacks."""
    return Finding(
        "G602", Severity.ERROR,
        f"The network is one affine map of its inputs: its {m.affine_layers} weight layers, with no nonlinearity acting "
        "between them, compose to a single linear layer (the output of the midpoint of two inputs is the midpoint of "
        f"their outputs). A batch of {m.samples} samples is no test of its capacity (a linear map fits as many rows as "
        "it has inputs), and training did not fit its training data: the model can represent no more than a linear "
        "model. An activation between the layers "
        "(nn.ReLU()) is missing or never called.",
        # no LR gives a linear map more capacity: "at any LR" as the single-batch test's failure at every LR says it
        {"affine_layers": m.affine_layers, "samples": m.samples, "reference_loss": m.reference, "kind": "one linear map",
         "at_any_lr": True},
    )


# -- G603 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClassRecall:
    """Per-class recall and support on one pass; ``where`` names the pass in words."""

    recall: Mapping[int, float]
    support: Mapping[int, int]
    where: str
    split: str | None = None
    # per class, where the output gives probabilities: the mean probability given to it, and its one-vs-rest ROC AUC
    probability_share: Mapping[int, float] | None = None
    ranking: Mapping[int, float] | None = None

    @classmethod
    def from_counts(cls, counts: Mapping[str, Sequence[int]], where: str) -> ClassRecall:
        """From a pass's per-class ``support`` and ``correct`` counts (classes that did not occur left out)."""
        support = {c: int(n) for c, n in enumerate(counts["support"]) if n > 0}
        return cls({c: counts["correct"][c] / n for c, n in support.items()}, support, where)


@verdict("G603")
def accuracy_paradox_verdict(m: ClassRecall) -> Iterable[Finding]:
    """Accuracy about the majority share while some class of real size is never recalled.

    Not when the model's probabilities serve every class it never predicts (``probabilities_serve``):
    a calibrated model of classes that overlap (click-through, default risk) gives the rare class its
    share and ranks its rows first, yet rarely puts it above one half; argmax recall then measures the
    threshold, not the model, and the probabilities are what such a model is used for.
    """
    evidence = accuracy_paradox(m.recall, m.support)
    if evidence and not probabilities_serve(evidence["never_predicted"], m.support, m.probability_share, m.ranking):
        yield Finding(
            "G603", Severity.WARNING,
            f"{m.where}, accuracy is {evidence['accuracy']:.1%}, about the majority class's share "
            f"{evidence['majority_share']:.1%}, and class(es) {evidence['never_predicted']} are never recognised (recall 0).",
            {**evidence, **({"split": m.split} if m.split else {})},
        )


# -- G604 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ValidationEvidence:
    """Train and validation numbers at one point, and how they were measured.

    ``same_way``: both in eval mode on fixed sets (checkup); otherwise the train loss is the
    loop's own, with dropout on when ``train_dropout``, and ``train_loss_low`` the lowest its
    level at the evaluation step plausibly is (the noisy loop loss's confidence band, see
    ``trend.level_at``): validation must be under half of that, not of one noisy reading. ``losses_alike``: both losses score
    the same kind of target (False with soft/mixed or smoothed targets in training only;
    None when unknown, which is treated as not alike). ``leak``: one input column that
    alone predicts held-out labels (the data-phase check of checkup and run's exam). ``train_median``/``val_median``: the
    median per-sample losses (checkup's trial), when known; a loss gap must hold for them too.
    """

    train_loss: float | None
    val_loss: float | None
    where: str
    train_acc: float | None = None
    val_acc: float | None = None
    reference: float | None = None
    same_way: bool = True
    train_dropout: bool = False
    losses_alike: bool | None = True
    step: int | None = None
    leak: Mapping[str, Any] | None = None
    unlike_reason: str | None = None
    train_loss_low: float | None = None
    train_median: float | None = None
    val_median: float | None = None


@verdict("G604")
def suspicious_validation_verdict(m: ValidationEvidence) -> Iterable[Finding]:
    """Validation much better than training, or validation labels readable off one input column.

    Losses of different targets are not compared: cross-entropy against mixup's mixed or
    label-smoothed targets cannot go below their entropy, while validation scores hard
    labels, so "validation loss under half the train loss" is expected there.
    """
    why = None
    if m.train_loss is not None and m.val_loss is not None:
        train = m.train_loss if m.train_loss_low is None else min(m.train_loss, m.train_loss_low)
        why = suspicious_validation(train, m.val_loss, m.train_acc, m.val_acc, m.reference, bool(m.losses_alike))
        if why and m.train_dropout and m.train_acc is None and not m.val_loss < DROPOUT_RATIO * train:
            why = None
        if why and m.train_median is not None and m.val_median is not None and suspicious_validation(
                m.train_median, m.val_median, None, None, m.reference, bool(m.losses_alike)) is None:
            # the typical sample shows no gap: a few training rows with huge losses carry the mean
            why = suspicious_validation(train, m.val_loss, m.train_acc, m.val_acc, m.reference, losses_alike=False)
    if why:
        measured = "both measured the same way, in eval mode" if m.same_way else "the train loss as the loop computed it"
        yield Finding(
            "G604", Severity.WARNING,
            f"{m.where}, {why} ({measured}): the validation set looks easier than the training set, or overlaps it.",
            {"train_loss": m.train_loss, "val_loss": m.val_loss, "train_acc": m.train_acc, "val_acc": m.val_acc,
             "reference": m.reference, **({"step": m.step} if m.step is not None else {}),
             **({"train_loss_low": m.train_loss_low} if m.train_loss_low is not None else {}),
             **({"train_median": m.train_median, "val_median": m.val_median} if m.train_median is not None else {})},
        )
        return
    leak = m.leak
    if leak:
        if "token" in leak:
            where = f"token id {leak['token']} (its presence anywhere in the row)"
        else:
            position = leak["position"]
            where = f"column {leak['column']}" if len(position) == 1 else f"input position {tuple(position)}"
        yield Finding(
            "G604", Severity.WARNING,
            f"Input {where} alone predicts the {'labels of ' + leak['scored_on'] if leak.get('scored_on', 'validation') != 'validation' else 'validation labels'} "
            f"with balanced accuracy {leak['balanced_accuracy']:.1%} ({leak['val_rows']} rows; a one-column decision tree "
            "fitted on other training rows): the label leaks into the inputs, so a validation score measures the leak, not the model.",
            dict(leak), location=where,
        )


# -- G605 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TailOfRun:
    """The per-step train losses of a run; ``trial`` when nndoctor chose its length; ``lrs`` the LR at each step, when known."""

    per_step: tuple[float, ...]
    trial: bool = False
    lrs: tuple[float, ...] = ()


@verdict("G605")
def undertrained(m: TailOfRun) -> Iterable[Finding]:
    """The loss was still falling steadily at the end (info: it says how long to train, not that anything is broken)."""
    evidence = still_falling(m.per_step, m.lrs or None)
    if not evidence:
        return
    if "slope_per_unit_lr" in evidence:
        seen = (f"{evidence['relative_drop_over_tail']:.0%} over the last {UNDERTRAINED_TAIL:.0%} of its cumulative learning rate "
                f"({evidence['tail_steps']} steps), p={evidence['p_value']:.1g}"
                + (f"; the LR ended at {evidence['final_lr_share']:.2%} of its peak, which flattens the curve per step"
                   if evidence["final_lr_share"] < 0.5 else ""))
    elif "projected_drop" in evidence:
        seen = (f"{evidence['relative_drop_over_tail']:.0%} over its last {evidence['tail_steps']} steps, "
                f"p={evidence['p_value']:.1g}")
    else:
        half = len(m.per_step) // 2
        seen = (f"its median over the last {len(m.per_step) - half} steps is {evidence['doubling_drop']:.0%} below the "
                f"{half - len(m.per_step) // 4} steps before, p={evidence['doubling_p_value']:.1g}")
    if m.trial:
        message = (f"The train loss was still falling steadily at the end of the {len(m.per_step)}-step trial ({seen}): "
                   "plan a training run much longer than this.")
    elif "projected_drop" in evidence:
        pace = "a schedule twice as long" if "slope_per_unit_lr" in evidence else "a run twice as long"
        # a straight line through the tail over-reads a curve that levels off: it bounds the gain from above
        projected = (f"a straight line through its tail says {pace} would take up to another {evidence['projected_drop']:.0%} off"
                     if evidence["projected_drop"] < 1.0 else f"a straight line through its tail would reach zero within {pace}")
        message = (f"The train loss was still falling steadily when the run ended ({seen}); {projected} (curves level off, "
                   "so expect less): it would gain from training longer.")
    else:
        message = (f"The train loss was still falling when the run ended ({seen}): doubling the run's length last bought "
                   f"{evidence['doubling_drop']:.0%}, so it would gain from training longer.")
    yield Finding("G605", Severity.INFO, message, evidence)
