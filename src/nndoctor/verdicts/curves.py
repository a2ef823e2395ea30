"""Verdicts on training curves: the O (optimisation) and G (generalisation) codes.

Every function registered here decides one code (or one pair that excludes each other)
from a small measurement built by a mode's adapter: checkup's probes (trial on a copy,
range test, single-batch overfit) and watch's recorder (the user's own loop) fill the
same dataclasses, and the verdict alone says what the numbers mean.

Two kinds of loss curve reach these verdicts and each is judged as what it is:

- ``fixed-set``: the same samples evaluated in eval mode at intervals (checkup's trial).
  No minibatch noise, so every climb is real.
- ``per-step``: means of windows of the minibatch losses the loop computed (watch). Noise
  of the minibatches is part of it, so the shape verdicts compare with that noise.

A loss is compared with a reference (the best constant predictor's loss, "no learning")
only when the reference is in the loss's own units: the same reduction and the same
terms. Adapters pass ``reference=None`` otherwise, and the verdicts that need it abstain.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..findings import Finding, Severity
from . import verdict
from .trend import last_doubling

# -- thresholds -----------------------------------------------------------------------------
# O401: a loss ending this much above where it began (or above the constant predictor's loss,
# whichever is higher) has gone the wrong way: training made it worse.
ROSE_FACTOR = 1.5
# O401: a smoothed loss that doubled from its start and from its best has diverged; a rise this
# clear can be announced mid-run, because later steps cannot undo that it happened.
DIVERGED_RISE = 2.0
# O402: a user LR this many times below the range test's suggestion is "far below" (1.5 decades).
TOO_LOW_FACTOR = 30.0
# "Little progress": the loss fell by less than this share of its start.
LITTLE_PROGRESS = 0.2
# O402/O406: the update-to-weight rule of thumb is ~1e-3 per step; a tenth of it is slow, and two
# orders of magnitude below it the weights are frozen rather than learning slowly.
HEALTHY_UPDATE = 1e-3
SLOW_UPDATE = 1e-4
FROZEN_UPDATE = 1e-5
# O401: the mirror of SLOW_UPDATE, an order of magnitude above the rule of thumb: steps
# that move the weights by a percent of their norm each, while the loss does not move, throw the fit away.
FAST_UPDATE = 1e-2
# O401/O412: a step of a third of a weight's starting norm re-draws the weights instead of refining them.
REDRAW_UPDATE = 0.3
# O402: the end of a straight descent "not even halfway" from the constant predictor's loss to zero.
HALFWAY = 0.5
# O403: the gradient norm grew by two orders of magnitude.
EXPLODING_GROWTH = 100.0
# O403: a gradient a thousand times the weights it updates moves them by their own size at lr 1e-3.
GRADIENT_DWARFS_WEIGHTS = 1e3
# O406: the loss moved by less than this share of its start.
PLATEAU_CHANGE = 0.02
# O406: a model whose loss starts below a tenth of the constant predictor's is pre-trained: not judged.
PRETRAINED = 0.1
# O407: a climb of a tenth of the loss's level above the lows around it is a swing, not noise
# on a noise-free curve; a net trend under 30% of the distance travelled, with rises on 30% of
# the steps, is going back and forth rather than down.
OSCILLATION_SWING = 0.1
OSCILLATION_EFFICIENCY = 0.3
OSCILLATION_RISES = 0.3
MIN_EVALS_FOR_SHAPE = 8
# O407 (per-step): window means spreading three noise standard errors apart are not minibatch noise.
NOISE_MULTIPLE = 3.0
SPIKES = 3  # separate jumps above DIVERGED_RISE x the start: a pattern, not one bad batch
# O407 (per-step): the level the loss started from is the median of the first few minibatch losses: a
# handful of steps at any usable LR barely move the weights, and the median of five outlasts two outlier batches.
START_STEPS = 5
MIN_STEPS_FOR_CURVES = 30
# O409: with regularisation the fit is not even halfway below the constant predictor, while without
# it the loss is at most half as large; in a live run, weights that lost half their norm while the
# loss stays that high were taken by the decay.
REGULARISED_STAYS = 0.5
UNREGULARISED_GAIN = 0.5
WEIGHTS_SHRUNK = 0.5
# O410: per-step decay lr*weight_decay above this loses 10% of every weight per step.
DECAY_PER_STEP = 0.1
ADAPTIVE = ("Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad", "Adadelta", "RMSprop", "SparseAdam")
DECOUPLED = ("AdamW",)
# O410: Adam's eps is meant to be negligible next to the gradient's running scale, and not vanish in float32.
EPS_RANGE = (1e-12, 1e-2)
# G601: validation loss 10% above its best while train loss kept falling (not one noisy point).
OVERFIT_RISE = 0.10
# G601: the untrained model's validation loss at most this many times its train loss for the two
# to be comparable (a larger gap exists before any learning: the sets differ).
COMPARABLE_AT_INIT = 2.0
# G602: a live run whose final loss is still 90% of the constant predictor's has learned nothing.
UNDERFIT_SHARE = 0.9
# G603: a class this size that is never recalled, with accuracy within this of a majority share.
PARADOX_MIN_SUPPORT = 5
PARADOX_MARGIN = 0.02
PARADOX_MAJORITY = 0.5
# G604: validation loss under half the train loss while train is still far from fitted, or
# near-perfect validation accuracy with clearly imperfect train accuracy.
SUSPICIOUS_RATIO = 0.5
NONTRIVIAL_TRAIN = 0.2
NEAR_PERFECT = 0.99
IMPERFECT_TRAIN = 0.9
MIN_VAL_SAMPLES = 30
# G604: dropout alone can double the train-mode loss relative to eval mode; a train loss measured
# with dropout on must be four times the validation loss before the gap says anything.
DROPOUT_RATIO = 0.25
# G605: the last 40% of steps still fall significantly, at a pace that would take another tenth off
# the level if the run went on as long again ("would it gain from training longer?").
UNDERTRAINED_TAIL = 0.4
UNDERTRAINED_P = 1e-3
UNDERTRAINED_DROP = 0.1
# Twelve tail points are the fewest for which p < 1e-3 on a straight line means anything.
UNDERTRAINED_MIN_STEPS = 30


def _end_level(values: Sequence[float]) -> float:
    """Mean of the last tenth of a per-step curve (at least 5 points): where the run ended."""
    array = np.asarray(values, dtype=float)
    return float(np.mean(array[-max(5, len(array) // 10):]))


def windows(values: Sequence[float], count: int) -> np.ndarray:
    """Means of ``count`` equal consecutive windows (smooths minibatch noise)."""
    array = np.asarray(values, dtype=float)
    if len(array) < count:
        return array
    return np.array([chunk.mean() for chunk in np.array_split(array, count)])


# -- the class prior: where "no learning" sits for a classifier ---------------------------
@dataclass(frozen=True)
class PriorEntropy:
    """The entropy of the label distribution (nats): the loss of the best constant predictor.

    ``estimate`` is the Miller–Madow corrected plug-in entropy of the counted labels. The
    plug-in ``-sum p log p`` of a sample is biased low, by about (m - 1) / 2N for m seen
    classes in N labels, and by far more when the sample misses classes: a few batches of
    a 10 000-token vocabulary read 4.7 nats where the true unigram entropy is 6.4.
    ``upper`` bounds the true entropy given the sample: the Good–Turing estimate of the
    probability mass of unseen labels, u = (labels seen once) / N, spread as evenly as the
    K - m unseen classes allow, adds at most h(u) + u·log(K - m) to the seen part's
    (1 - u)·estimate. With every class seen at least twice, u = 0 and ``upper`` is ``estimate``.
    """

    estimate: float
    upper: float
    samples: int
    classes: int
    seen: int
    unseen_mass: float


def prior_entropy(counts: Sequence[float], classes: int | None = None) -> PriorEntropy | None:
    """The label entropy from per-class ``counts`` over ``classes`` outputs (defaults to ``len(counts)``)."""
    counts_array = np.asarray(counts, dtype=float)
    n = float(counts_array.sum())
    seen = counts_array[counts_array > 0]
    if n <= 0 or not len(seen):
        return None
    k = max(int(classes or len(counts_array)), len(seen))
    shares = seen / n
    estimate = float(-(shares * np.log(shares)).sum() + (len(seen) - 1) / (2 * n))
    unseen = float(np.sum(seen == 1)) / n
    upper = estimate
    if unseen > 0:
        binary = -(unseen * math.log(unseen) + (1 - unseen) * math.log(1 - unseen)) if unseen < 1 else 0.0
        upper = (1 - unseen) * estimate + binary + unseen * math.log(max(k - len(seen), 1))
    upper = min(upper, math.log(k)) if k > 1 else upper  # nothing exceeds the uniform predictor's loss
    return PriorEntropy(estimate, max(upper, estimate), int(n), k, len(seen), unseen)


# -- curve shapes (pure measurements) ---------------------------------------------------
def progress(values: Sequence[float]) -> float | None:
    """Share of its start that a loss curve fell to its lowest point; None when not measurable."""
    array = np.asarray([v for v in values if math.isfinite(v)], dtype=float)
    if len(array) < 2 or array[0] <= 0:
        return None
    return float((array[0] - array.min()) / array[0])


def bumps(losses: Sequence[float]) -> np.ndarray | None:
    """How far each inner point of a loss curve climbs above the lows on both sides of it.

    For point t the reference is the higher of the lowest loss before t and the lowest loss
    after t, so a climb counts only when the curve had already been lower and comes back
    down again; a steady fall, a steady rise or a flat stretch scores zero. Relative to that
    reference; None for curves too short or not finite.
    """
    values = np.asarray(losses, dtype=float)
    if len(values) < 3 or not np.isfinite(values).all() or (values <= 0).any():
        return None
    before = np.minimum.accumulate(values)[:-2]
    after = np.minimum.accumulate(values[::-1])[::-1][2:]
    low = np.maximum(before, after)
    return np.maximum(values[1:-1] / low - 1.0, 0.0)


def steady_descent(losses: Sequence[float]) -> bool:
    """The loss ended below its start and never climbed a tenth above the lows around it."""
    heights = bumps(losses)
    return heights is not None and losses[-1] < losses[0] and float(heights.max(initial=0.0)) < OSCILLATION_SWING


def straight_descent(losses: Sequence[float], reference: float | None) -> dict[str, float] | None:
    """Evidence that a per-step loss falls at an undiminished rate while still far above a fit, else None.

    The whole run falls significantly, its second half at least half as fast as its first
    (no sign of converging), and the end is not even halfway from the constant predictor's
    loss (``reference``) to zero.
    """
    from scipy import stats  # lazily: `import nndoctor` stays light

    values = np.asarray(losses, dtype=float)
    if reference is None or reference <= 0 or len(values) < 2 * MIN_STEPS_FOR_CURVES or not np.isfinite(values).all():
        return None
    end = _end_level(values)
    steps = np.arange(len(values))
    fit = stats.linregress(steps, values)
    half = len(values) // 2
    first, second = stats.linregress(steps[:half], values[:half]), stats.linregress(steps[half:], values[half:])
    if fit.slope >= 0 or fit.pvalue > UNDERTRAINED_P or end < HALFWAY * reference:
        return None
    if first.slope >= 0 or second.slope > 0.5 * first.slope:
        return None
    return {"slope": float(fit.slope), "p_value": float(fit.pvalue), "first_half_slope": float(first.slope),
            "second_half_slope": float(second.slope), "final_loss": end}


def plateau(losses: Sequence[float], reference: float | None) -> dict[str, float] | None:
    """Evidence that the loss does not move, else None.

    Flat means it moved by under ``PLATEAU_CHANGE`` of its start over the whole run, or it
    never got below the constant predictor's loss (``reference``: nothing beyond the prior
    was learned) and stayed flat over the second half. A model already far below the
    constant predictor at the start (pre-trained) is not judged.
    """
    values = np.asarray(losses, dtype=float)
    if len(values) < 3 or not np.isfinite(values).all() or values[0] <= 0:
        return None
    if reference is not None and values[0] < PRETRAINED * reference:
        return None
    moved = float(np.max(np.abs(values - values[0])) / values[0])
    half = values[len(values) // 2 :]
    late = float(np.max(np.abs(half - half[0])) / half[0]) if half[0] > 0 else math.inf
    at_prior = reference is not None and float(values.min()) >= (1 - PLATEAU_CHANGE) * reference
    if moved < PLATEAU_CHANGE or (at_prior and late < PLATEAU_CHANGE):
        return {"max_change": moved, "late_change": late, "reference": reference if reference is not None else math.nan}
    return None


def oscillation(losses: Sequence[float]) -> dict[str, float] | None:
    """Swing, trend efficiency and share of rises in the second half of a loss curve."""
    values = np.asarray(losses, dtype=float)
    if len(values) < 8 or not np.isfinite(values).all() or values[0] <= 0:
        return None
    half = values[len(values) // 2 :]
    diffs = np.diff(half)
    travelled = float(np.abs(diffs).sum())
    return {
        "swing": float(half.max() - half.min()) / float(values[0]),
        "efficiency": abs(float(half[-1] - half[0])) / travelled if travelled > 0 else 1.0,
        "rises": float((diffs > 0).mean()),
    }


def is_oscillating(measured: dict[str, float] | None) -> bool:
    """Swings of ``OSCILLATION_SWING`` with little net trend and frequent rises."""
    return (
        measured is not None and measured["swing"] >= OSCILLATION_SWING
        and measured["efficiency"] < OSCILLATION_EFFICIENCY and measured["rises"] >= OSCILLATION_RISES
    )


def bouncing(losses: Sequence[float]) -> dict[str, float] | None:
    """Evidence that a fixed-set loss curve keeps climbing back above levels it had reached, else None.

    The typical (median) evaluation must sit ``OSCILLATION_SWING`` or more above the lows on
    both sides of it (:func:`bumps`): the swings, not the trend, shape the curve. Noise near
    a floor, a steady fall, a plateau or a steady rise stay below that.
    """
    values = np.asarray(losses, dtype=float)
    heights = bumps(values) if len(values) >= MIN_EVALS_FOR_SHAPE else None
    if heights is None:
        return None
    median = float(np.median(heights))
    if median < OSCILLATION_SWING:
        return None
    return {"median_climb": median, "largest_climb": float(heights.max()), "climbing": int((heights >= OSCILLATION_SWING).sum()),
            "inner_evaluations": len(heights), "shape": "climbs"}


def oscillation_evidence(losses: Sequence[float]) -> dict[str, Any] | None:
    """Evidence that the per-step loss swings without a downward trend, beyond minibatch noise.

    Three shapes: window means that wander up and down far more than their within-window
    noise explains (slow oscillation), a second half that made no progress on the start
    while consecutive steps jump by more than half the loss level (bouncing), or a loss
    that repeatedly jumps to multiples of its starting value and falls back, ending no
    lower than it began (spikes).
    """
    values = np.asarray(losses, dtype=float)
    if len(values) < 4 * MIN_STEPS_FOR_CURVES or values[0] <= 0:
        return None
    chunks = np.array_split(values, 20)
    means = np.array([c.mean() for c in chunks])
    start = float(means[0])
    second = chunks[10:]
    noise = math.sqrt(float(np.mean([c.var(ddof=1) for c in second])) / float(np.mean([len(c) for c in second])))
    spread = float(np.std(means[10:], ddof=1))
    measured = oscillation(means)
    if is_oscillating(measured) and spread > NOISE_MULTIPLE * noise:
        return {**measured, "between_window_std": spread, "noise_std": noise, "windows": means.tolist(), "shape": "swings"}
    half = values[len(values) // 2 :]
    level = float(np.median(half))
    jumps = float(np.median(np.abs(np.diff(half))))
    # "No progress" compares medians: a heavy-tailed loss (Huber or L1 on outliers) keeps a high mean
    # while its typical batch has fallen, and those outlier batches are minibatch noise, not bouncing.
    # The start is where the loss began, not a window's median: a loss that falls within its first
    # twentieth would otherwise be compared with a level it had already left.
    begun = float(np.median(values[:START_STEPS]))
    if level > 0 and level >= 0.8 * begun and jumps >= 0.5 * level:
        return {"median_jump": jumps, "level": level, "start": begun, "windows": means.tolist(), "shape": "bouncing",
                "swing": float(half.max() - half.min()) / start, "rises": float((np.diff(half) > 0).mean())}
    first = float(values[0])
    above = values > DIVERGED_RISE * first
    excursions = int(np.count_nonzero(above[1:] & ~above[:-1]))
    end = _end_level(values)
    if first > 0 and excursions >= SPIKES and end >= 0.8 * first:
        return {"spikes": excursions, "start": first, "peak": float(values.max()), "end": end, "windows": means.tolist(),
                "shape": "spikes", "first_spike_index": int(np.argmax(above))}
    return None


def gradient_growth(norms: Sequence[float], window: int = 5) -> float | None:
    """Largest running median of the gradient norm over the median of the first steps."""
    values = np.asarray(norms, dtype=float)
    if len(values) < 2 * window:
        return None
    if not np.isfinite(values).all():
        return math.inf
    start = float(np.median(values[:window]))
    rolling = [float(np.median(values[i : i + window])) for i in range(window, len(values) - window + 1)]
    return max(rolling) / start if start > 0 else None


def overfitting(train: Sequence[float], val: Sequence[float], val_acc: Sequence[float | None] = ()) -> dict[str, Any] | None:
    """Evidence that validation loss turned up while train loss kept falling, else None.

    The validation minimum must lie before the last evaluation with later points all 10%
    above it (not one noisy point), the train loss must have fallen since, and (when
    accuracies are known) validation accuracy must have stopped improving: when it still
    rises over the second half of the stretch, the loss is driven by a few outliers.
    ``gave_back`` is the share of validation's fall (start to minimum) that the rise undid.
    """
    train_array, val_array = np.asarray(train, dtype=float), np.asarray(val, dtype=float)
    if len(val_array) < 5 or len(train_array) != len(val_array) or not (np.isfinite(train_array).all() and np.isfinite(val_array).all()):
        return None
    best = int(np.argmin(val_array))
    tail = val_array[best + 1 :]
    if len(tail) < 2 or tail[-2:].min() < (1 + OVERFIT_RISE) * val_array[best] or train_array[-1] >= train_array[best]:
        return None
    accs = [a for a in val_acc if a is not None]
    midway = (best + len(val_array)) // 2
    if len(accs) == len(val_array) and accs[-1] > accs[midway] + 0.01:
        return None
    fell, rose = float(val_array[0] - val_array[best]), float(val_array[-1] - val_array[best])
    return {"best_step_index": best, "best_val_loss": float(val_array[best]), "final_val_loss": float(val_array[-1]),
            "train_loss_at_best": float(train_array[best]), "final_train_loss": float(train_array[-1]),
            "start_val_loss": float(val_array[0]), "gave_back": rose / fell if fell > 0 else math.inf}


def _lr_time(lrs: Sequence[float] | None, count: int) -> np.ndarray | None:
    """Cumulative LR at each step (training "time" in units of step size), or None when the LRs are unusable."""
    if lrs is None or len(lrs) != count:
        return None
    rates = np.asarray(lrs, dtype=float)
    if not np.isfinite(rates).all() or (rates < 0).any() or rates.max() <= 0:
        return None
    return np.cumsum(rates)


def still_falling(step_losses: Sequence[float], lrs: Sequence[float] | None = None) -> dict[str, float] | None:
    """Evidence that the per-step loss was still falling significantly when it ended, else None.

    Two readings, either suffices: a straight line through the last part (``projected_drop``:
    the share of the tail's level its trend would remove over another run of the same
    length; ``relative_drop_over_tail``: what it removed already). With the LR of each step
    (``lrs``) the line is drawn against cumulative LR instead of steps, and "the last part"
    and "a run as long" are measured in it: a schedule that decays the LR to zero flattens
    the curve per step because the steps stop moving the weights, not because the loss
    stopped improving per unit of LR (with a constant LR both readings agree). The run's last
    doubling (``doubling_drop``: the median loss over the second half against the quarter
    before it, by a rank test), which still sees a curve that decays like a power of the
    step and minibatch noise that buries a straight line's slope. The doubling must take a
    tenth off the level and a tenth of the loss the run started from (a loss converging
    toward zero keeps halving a small value while gaining nothing).
    """
    from scipy import stats  # lazily: `import nndoctor` stays light

    values = np.asarray(step_losses, dtype=float)
    if len(values) < UNDERTRAINED_MIN_STEPS or not np.isfinite(values).all():
        return None
    tail = values[-int(len(values) * UNDERTRAINED_TAIL) :]
    time = _lr_time(lrs, len(values))
    if time is not None:
        budget = float(time[-1] - time[0])
        in_tail = time >= time[-1] - UNDERTRAINED_TAIL * budget
        if budget <= 0 or in_tail.sum() < UNDERTRAINED_MIN_STEPS * UNDERTRAINED_TAIL:
            time = None  # the LR-weighted tail is too few steps to test: read the curve per step
    if time is None:
        x, budget, span = np.arange(len(tail), dtype=float), float(len(values)), float(len(tail))
    else:
        x, tail = time[in_tail], values[in_tail]
        span = float(x[-1] - x[0])
    fit = stats.linregress(x, tail)
    level = float(np.mean(tail))
    if level <= 0:
        return None
    evidence: dict[str, float] = {"tail_steps": len(tail), "steps": len(values)}
    if fit.slope < 0 and fit.pvalue <= UNDERTRAINED_P and -fit.slope * budget / level >= UNDERTRAINED_DROP:
        evidence.update(p_value=float(fit.pvalue), relative_drop_over_tail=float(-fit.slope * span / level),
                        projected_drop=float(-fit.slope * budget / level))
        if time is None:
            evidence["slope_per_step"] = float(fit.slope)
        else:
            evidence.update(slope_per_unit_lr=float(fit.slope), lr_budget=budget,
                            final_lr_share=float(lrs[-1] / max(lrs)))  # type: ignore[index]
    doubling = last_doubling(values)
    if (doubling is not None and doubling.p_value <= UNDERTRAINED_P and doubling.drop >= UNDERTRAINED_DROP
            and doubling.share_of_start >= UNDERTRAINED_DROP):
        evidence.update(doubling_drop=doubling.drop, doubling_p_value=doubling.p_value, median_second_quarter=doubling.earlier,
                        median_second_half=doubling.later, doubling_share_of_start=doubling.share_of_start)
    return evidence if len(evidence) > 2 else None


def accuracy_paradox(recall: Mapping[int, float], support: Mapping[int, int]) -> dict[str, Any] | None:
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
            "recall": dict(recall), "support": dict(support)}


def suspicious_validation(train_loss: float, val_loss: float, train_acc: float | None, val_acc: float | None,
                          reference: float | None, losses_alike: bool = True) -> str | None:
    """Why the validation numbers look too good to be true, else None.

    The losses are compared only when ``losses_alike``: both score the same kind of target
    (hard labels on both sides, or the same soft targets); cross-entropy against mixed or
    smoothed targets cannot go below their entropy, so it sits above a hard-label loss by
    construction.
    """
    if not (math.isfinite(train_loss) and math.isfinite(val_loss)):
        return None
    nontrivial = reference is None or train_loss >= NONTRIVIAL_TRAIN * reference
    if losses_alike and nontrivial and val_loss < SUSPICIOUS_RATIO * train_loss:
        return f"validation loss {val_loss:.3g} is under half the train loss {train_loss:.3g}"
    if val_acc is not None and train_acc is not None and val_acc >= NEAR_PERFECT and train_acc <= IMPERFECT_TRAIN:
        return f"validation accuracy is {val_acc:.1%} while train accuracy is only {train_acc:.1%}"
    return None


# -- O401 / O402 ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RangeTest:
    """What the LR range test found (checkup only)."""

    suggested_lr: float | None
    divergence_lr: float | None
    min_loss_lr: float | None = None
    reason: str = ""


@dataclass(frozen=True)
class SingleBatch:
    """The single-batch overfit at the user's LR and, when that failed, at the range test's."""

    user_fitted: bool
    user_conclusive: bool
    user_diverged: bool
    user_loss: float
    suggested_lr: float | None = None
    suggested_fitted: bool = False
    suggested_loss: float | None = None


@dataclass(frozen=True)
class NonFinite:
    """The first non-finite training loss: at which step, and what the recorder saw then."""

    step: int
    detail: dict[str, Any] = field(default_factory=dict)
    previous: tuple[float, ...] = ()
    span: str = ""


@dataclass(frozen=True)
class LossCurve:
    """A training loss curve in the loss's own units.

    ``values``: the curve the shape verdicts read (``source`` "fixed-set": evaluations of
    one sample set; "per-step": ten window means of the minibatch losses). ``per_step``:
    the raw minibatch losses where known. ``reference``: the best constant predictor's loss
    in the same units, None when unknown or not comparable. ``initial``: the loss before
    the first update. ``steps``: optimizer steps the curve spans. ``span``: words for where
    it was measured ("in the 400-step trial").
    """

    values: tuple[float, ...]
    source: str
    steps: int
    span: str
    reference: float | None = None
    per_step: tuple[float, ...] = ()
    initial: float | None = None


@dataclass(frozen=True)
class LearningRateEvidence:
    """Everything that speaks to whether the LR is too high or too low; each mode fills what it measured.

    ``update_ratio``: median over weight layers of |Δw|/|w| per step; ``last_update_ratio``
    the same for the last weight layer alone; ``redraw_ratio`` the median over weight layers
    of |Δw| per step over the layer's starting norm (steps that re-draw a layer also inflate
    it, so against the inflated norm they look modest). ``final``: the run is over (a live
    run's end level is known only then).
    """

    lr: float | None
    optimizer: str | None
    curve: LossCurve | None = None
    range_test: RangeTest | None = None
    single_batch: SingleBatch | None = None
    nonfinite: NonFinite | None = None
    update_ratio: float | None = None
    last_update_ratio: float | None = None
    redraw_ratio: float | None = None
    final: bool = True


def _loss_rose(curve: LossCurve, final: bool) -> tuple[str, dict[str, Any]] | None:
    """Why the curve shows the loss went the wrong way, with evidence; else None."""
    values = np.asarray(curve.values, dtype=float)
    if len(values) < 2 or not np.isfinite(values).all() or values[0] <= 0:
        return None
    if values[-1] >= DIVERGED_RISE * values[0] and values[-1] >= DIVERGED_RISE * values.min():
        return (f"the train loss diverged {curve.span}: from {values[0]:.4g} at the start to {values[-1]:.4g} at the end, "
                f"after reaching {values.min():.4g}"), {"windows": values.tolist()}
    if not final:
        return None  # where the run ends is known only at its end; a loss high mid-run may still come down
    start = curve.initial if curve.initial is not None else float(values[0])
    # one minibatch's loss at step 0 can be low by chance; the constant predictor's loss is where "no learning" sits
    baseline = max(start, curve.reference or 0.0)
    end = _end_level(curve.per_step) if len(curve.per_step) >= MIN_STEPS_FOR_CURVES else float(values[-1])
    if baseline > 0 and end >= ROSE_FACTOR * baseline:
        return (f"training made the loss worse {curve.span}: it was {start:.4g} before the first update and ends at {end:.4g}"
                + (f", above the constant predictor's {curve.reference:.4g}" if curve.reference is not None else "")
                + f", after peaking at {float(values.max()):.4g}"), {"initial_loss": start, "final_loss": end,
                                                                      "reference": curve.reference, "windows": values.tolist()}
    return None


def _frozen(m: LearningRateEvidence) -> bool:
    """The loss is flat and the steps move the weights by under ``FROZEN_UPDATE`` of their size."""
    return (m.curve is not None and plateau(m.curve.values, m.curve.reference) is not None
            and m.update_ratio is not None and m.update_ratio < FROZEN_UPDATE)


def _overshooting(m: LearningRateEvidence) -> str | None:
    """Why steps far above the ~1e-3 rule of thumb, on a loss that does not move, mean the LR is too high; else None.

    Judged at the end of a run only (a plateau is a whole-run shape). The median weight
    layer and the last one move by over ``FAST_UPDATE`` of their norm per step, yet the
    loss stays flat: the steps throw the weights about instead of refining them. Measured
    against the starting norm too, when known, so weights shrunk by decay do not inflate it.
    """
    curve = m.curve
    if (not m.final or curve is None or m.update_ratio is None or m.last_update_ratio is None
            or min(m.update_ratio, m.last_update_ratio) < FAST_UPDATE or plateau(curve.values, curve.reference) is None):
        return None
    if m.redraw_ratio is not None and m.redraw_ratio < FAST_UPDATE:
        return None  # large only against weights that shrank (weight decay, O409): the steps themselves are small
    return (f"each step moves the weights by {m.update_ratio:.2g} of their norm (healthy is ~1e-3), yet the train loss did not move "
            f"{curve.span}" + (" from the constant predictor's level" if curve.reference is not None else "")
            + ": the steps overshoot instead of descending")


def _redrawing(m: LearningRateEvidence) -> str | None:
    """Why steps that re-draw the weights, on a loss that does not fall steadily, mean the LR is too high; else None.

    At the end of a run: the median weight layer moves by over ``REDRAW_UPDATE`` of its
    starting norm per step (every layer off together is the global LR, not one group's) and
    the loss climbs back above levels it had reached. Normalised layers keep learning at any
    weight scale, so the loss may still fall on the whole; the bounces show the overshoot.
    """
    curve = m.curve
    if not m.final or curve is None or m.redraw_ratio is None or m.redraw_ratio < REDRAW_UPDATE or steady_descent(curve.values):
        return None
    return (f"each step moves the weights by {m.redraw_ratio:.2g}x the norm they started with (healthy is ~1e-3), and the train "
            f"loss {curve.span} keeps climbing back above levels it had reached: the steps re-draw the weights instead of "
            "refining them")


def _o401_message(opening: str, name: str, reasons: list[str], nonfinite: bool) -> str:
    """The O401 message: the non-finite loss first when there is one, then why the LR is too high."""
    said = "; ".join(reasons)
    if nonfinite:
        return opening + (f" {name} is too high: {said}." if said else "")
    return f"{opening}: {said}."


@verdict("O401", "O402")
def learning_rate(m: LearningRateEvidence) -> list[Finding]:
    """O401 (too high) or O402 (too low) from whatever the mode measured at the user's LR.

    Too high: the loss turned non-finite, diverged or ended above where it started; the
    range test's loss exploded below the user's LR (unless the curve at that LR fell
    steadily, a direct measurement that overrules the test's one step per LR); or one batch
    could only be fitted at a lower LR. Too low: the loss falls (a flat loss is O406's, which
    names a frozen LR itself), too slowly: far below the range test's suggestion with
    little progress, one batch fitted only at a higher LR, updates far below the ~1e-3 rule
    of thumb with little progress, or a straight descent that has not begun to level off
    while the updates are small.
    """
    lr, sweep, curve, batch = m.lr, m.range_test, m.curve, m.single_batch
    name = f"The learning rate {lr:.2g} ({m.optimizer})" if lr is not None and m.optimizer else (
        f"The learning rate {lr:.2g}" if lr is not None else "The learning rate")
    evidence: dict[str, Any] = {"user_lr": lr, "optimizer": m.optimizer}
    if sweep is not None:
        evidence.update({"suggested_lr": sweep.suggested_lr, "divergence_lr": sweep.divergence_lr,
                         "min_loss_lr": sweep.min_loss_lr, "range_test": sweep.reason})
    moved = progress(curve.values) if curve is not None else None
    if moved is not None:
        evidence["progress"] = moved
    if m.update_ratio is not None:
        evidence["median_update_ratio"] = m.update_ratio
    fixed_by = None
    if batch is not None and batch.user_conclusive and not batch.user_fitted and batch.suggested_fitted:
        fixed_by = batch.suggested_lr
        evidence["single_batch"] = {"user_lr_loss": batch.user_loss, "suggested_lr_loss": batch.suggested_loss}

    reasons: list[str] = []
    location = "optimizer"
    opening = f"{name} is too high"
    if m.nonfinite is not None:
        info = m.nonfinite.detail
        previous = [v for v in m.nonfinite.previous if math.isfinite(v)]
        value = {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}.get(str(info.get("value", "nan")).lower(), str(info.get("value", "NaN")))
        opening = f"step {m.nonfinite.step}{m.nonfinite.span}: loss became {value}"
        if previous:
            opening += f" (it was {previous[-1]:.4g} the step before, {min(previous):.4g} at best)"
        if info.get("where"):
            state = "with finite inputs and weights" if info.get("inputs_finite") and info.get("params_finite") else (
                "from non-finite inputs" if not info.get("inputs_finite", True) else "because its weights are non-finite")
            opening += f"; the first layer to output non-finite values afterwards was {info['where']} ({info.get('module_type')}) {state}"
        if info.get("first_param"):
            opening += f"; first non-finite tensor: {info['first_param']}"
        opening += "."  # a non-finite loss is O401's evidence on its own; other reasons follow as their own sentence
        evidence.update({**info, "step": m.nonfinite.step, "previous_losses": previous[-5:], "nonfinite": True})
        location = f"step {m.nonfinite.step}" + (f", {info['where']}" if info.get("where") else "")
        reasons.append("")
    elif curve is not None:
        rose = _loss_rose(curve, m.final)
        if rose is not None:
            reasons.append(rose[0])
            evidence.update(rose[1])
        elif (overshoot := _overshooting(m)) is not None:
            reasons.append(overshoot)
            evidence.update({"median_update_ratio": m.update_ratio, "last_update_ratio": m.last_update_ratio,
                             "step_size_only": len(reasons) == 1})
        elif (redrawn := _redrawing(m)) is not None:
            reasons.append(redrawn)
            evidence.update({"redraw_ratio": m.redraw_ratio, "step_size_only": len(reasons) == 1})
    stable_at_lr = (curve is not None and m.nonfinite is None and steady_descent(curve.values)
                    and plateau(curve.values, curve.reference) is None)
    if sweep is not None and lr is not None and sweep.divergence_lr is not None and lr > sweep.divergence_lr:
        if stable_at_lr:
            evidence["range_test_overruled"] = "the loss at your LR fell steadily"
        else:
            reasons.append(f"the range test's loss exploded at lr={sweep.divergence_lr:.2g}, below your lr={lr:.2g}")
    if len(reasons) > 1:
        evidence["step_size_only"] = False  # the range test or a single batch speaks to the LR too
    if fixed_by is not None and lr is not None and fixed_by < lr:
        reasons.append(f"one batch could not be fitted at your LR but was at lr={fixed_by:.2g}")
    if batch is not None and batch.user_diverged and not reasons:
        reasons.append("the single-batch fit at your LR turned non-finite")
    if reasons:
        suggested = sweep.suggested_lr if sweep is not None else None
        return [Finding(
            "O401", Severity.ERROR,
            _o401_message(opening, name, [r for r in reasons if r], m.nonfinite is not None)
            + (f" The range test suggests about {suggested:.2g}." if suggested else ""),
            evidence, location=location,
            fix=f"Lower the LR to about {suggested:.2g} (≈10x below where the loss explodes)." if suggested else None,
        )]

    if (lr is not None and lr <= 0) or _frozen(m):
        return []  # weights that do not move give a flat loss: the plateau's finding (O406), which names the LR itself
    # without a discriminating probe (range test, single batch), "falls too slowly" needs a loss that falls
    flat = curve is not None and plateau(curve.values, curve.reference) is not None
    slow = moved is not None and moved < LITTLE_PROGRESS
    why: list[str] = []
    suggested = sweep.suggested_lr if sweep is not None else None
    if suggested is not None and lr is not None and lr * TOO_LOW_FACTOR <= suggested and slow and curve is not None:
        why.append(f"it is {suggested / lr:.0f}x below the range test's suggestion {suggested:.2g} and the train loss fell "
                   f"only {max(moved, 0.0):.1%} {curve.span}")
    if fixed_by is not None and lr is not None and fixed_by > lr:
        why.append(f"one batch could not be fitted at your LR but was at lr={fixed_by:.2g}")
    # a flat loss that still falls steadily, with steps far below the rule of thumb, is slow rather than stuck
    falling = not flat or (curve is not None and steady_descent(curve.values))
    if (not why and falling and m.update_ratio is not None and m.update_ratio < SLOW_UPDATE and m.last_update_ratio is not None
            and m.last_update_ratio < SLOW_UPDATE and slow and curve is not None):
        why.append(f"updates change the weights by only {m.update_ratio:.1e} of their norm per step (healthy is ~1e-3) and "
                   f"the loss fell {moved:.0%} {curve.span}")
    straight = straight_descent(curve.per_step, curve.reference) if curve is not None and curve.per_step else None
    if not why and not flat and straight is not None and m.update_ratio is not None and m.update_ratio < HEALTHY_UPDATE:
        evidence.update({**straight, "reference": curve.reference})
        why.append(f"the train loss falls in a straight line that has not begun to level off ({straight['first_half_slope']:.2g} "
                   f"per step in the first half, {straight['second_half_slope']:.2g} in the second) and ends at "
                   f"{straight['final_loss']:.3g}, not even halfway below the constant predictor's {curve.reference:.3g}, while "
                   f"updates change the weights by {m.update_ratio:.1e} of their norm per step (healthy is ~1e-3): the "
                   "learning rate, not the data or the model, limits progress")
    if not why:
        return []
    return [Finding(
        "O402", Severity.WARNING, f"{name} is too low: " + "; ".join(why) + ".", evidence, location="optimizer",
        fix=f"Raise the LR toward {suggested:.2g}." if suggested else "Raise the learning rate (an LR range test finds how far).",
    )]


# -- O403 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class GradientHistory:
    """Gradient sizes over a run.

    ``norms``: the total gradient norm per sampled step (``label`` says which: before
    clipping when the loop clips); ``layer_norms``: per parameter; ``span``: where it was
    measured; ``through_time``: per recurrent layer, the gradient reaching its first time
    step over its last at init (checkup); ``grad_to_weight``: (step, |g|/|w|) of the weight
    layers (watch); ``steps``: the step of each entry of ``norms`` (for the onset of an explosion).
    """

    norms: tuple[float, ...]
    span: str
    label: str = "gradient norm"
    layer_norms: Mapping[str, Sequence[float]] = field(default_factory=dict)
    through_time: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    grad_to_weight: tuple[tuple[int, float], ...] = ()
    steps: tuple[int, ...] = ()
    loss_at: Mapping[int, float] = field(default_factory=dict)


def _norm_at(m: GradientHistory, step: int) -> float:
    return next(n for s, n in zip(m.steps, m.norms) if s == step)


def _loss_growth_at(m: GradientHistory, step: int | None) -> float | None:
    """The training loss at ``step`` over the median of the first recorded losses (``m.loss_at``), when both are known."""
    if step is None or step not in m.loss_at:
        return None
    first = [m.loss_at[s] for s in sorted(m.loss_at)[:5]]
    start = float(np.median(first)) if first else 0.0
    return m.loss_at[step] / start if start > 0 and math.isfinite(start) else None


def explosion_onset(m: GradientHistory) -> int | None:
    """The step (from ``m.steps``) of the first norm at ``EXPLODING_GROWTH`` times the first steps' median, or non-finite."""
    if len(m.steps) != len(m.norms) or not m.norms:
        return None
    start = float(np.median(m.norms[:5]))
    return next((step for step, n in zip(m.steps, m.norms) if not math.isfinite(n) or n >= EXPLODING_GROWTH * start), None)


@verdict("O403")
def exploding_gradients(m: GradientHistory) -> Iterable[Finding]:
    """Gradients that grow by two orders of magnitude, explode back through time, or dwarf the weights they update."""
    growth = gradient_growth(m.norms)
    if growth is not None and growth >= EXPLODING_GROWTH:
        finite = [n for n in m.norms if math.isfinite(n)]
        layer_growth = {name: gradient_growth(values) for name, values in m.layer_norms.items()}
        worst = max((n for n, g in layer_growth.items() if g is not None and math.isfinite(g)), key=lambda n: layer_growth[n], default=None)
        start = float(np.median(m.norms[:5]))
        peak = max(finite) if finite else None
        onset = explosion_onset(m)
        yield Finding(
            "O403", Severity.ERROR,
            f"The {m.label} " + ("turned non-finite" if math.isinf(growth) else f"grew {growth:.0f}x")
            + f" {m.span} (from {start:.3g} to a peak of {peak if peak is not None else math.inf:.3g}).",
            {"growth": growth, "start_norm": start, "peak_norm": peak, "samples": len(m.norms), "onset_step": onset,
             "growth_at_onset": _norm_at(m, onset) / start if onset is not None and start > 0 else None,
             "loss_growth_at_onset": _loss_growth_at(m, onset)},
            location=worst,
        )
        return
    worst_rnn = max(m.through_time, key=lambda n: m.through_time[n]["ratio"], default=None)
    if worst_rnn is not None and m.through_time[worst_rnn]["ratio"] >= EXPLODING_GROWTH:
        ratio, steps = m.through_time[worst_rnn]["ratio"], int(m.through_time[worst_rnn]["steps"])
        yield Finding(
            "O403", Severity.ERROR,
            f"At init the loss gradient reaching the first of {worst_rnn}'s {steps} time steps is {ratio:.3g}x the one reaching "
            f"its last: backpropagation through time multiplies it by about {ratio ** (1 / max(steps - 1, 1)):.2g} per step, so it "
            "explodes with sequence length.",
            {"through_time": {k: dict(v) for k, v in m.through_time.items()}, "steps": steps, "growth": ratio},
            location=worst_rnn,
        )
        return
    if len(m.grad_to_weight) >= 3:
        median = float(np.median([r for _, r in m.grad_to_weight]))
        if median >= GRADIENT_DWARFS_WEIGHTS:
            first_step, first = m.grad_to_weight[0]
            yield Finding(
                "O403", Severity.ERROR,
                f"The gradient is {median:.3g}x the size of the weights it updates (median over {len(m.grad_to_weight)} sampled "
                f"steps; {first:.3g}x at step {first_step}): gradients have exploded, any usable step size throws the weights far away.",
                {"median_grad_to_weight": median, "grad_to_weight": [[s, r] for s, r in m.grad_to_weight[:20]]},
            )


# -- O406 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlateauEvidence:
    """The loss curve and what speaks to why it might not move.

    ``update_ratio``: median |Δw|/|w| per step over weight layers; ``lr`` and
    ``suggested_lr`` (range test) name the LR as the cause when the weights are frozen.
    """

    curve: LossCurve
    update_ratio: float | None = None
    lr: float | None = None
    suggested_lr: float | None = None


@verdict("O406")
def loss_plateau(m: PlateauEvidence) -> Iterable[Finding]:
    """The loss does not move from its start, or never leaves the constant predictor's level."""
    curve = m.curve
    flat = plateau(curve.values, curve.reference)
    if flat is None:
        return
    values = curve.values
    prior = (f"; it never went below {flat['reference']:.4g}, the loss of predicting the prior"
             if flat["max_change"] >= PLATEAU_CHANGE else
             (f"; the constant predictor scores {curve.reference:.4g}" if curve.reference is not None else ""))
    evidence: dict[str, Any] = {"start_loss": values[0], "end_loss": values[-1], **flat, "steps": curve.steps,
                                "curve": list(values), "source": curve.source, "median_update_ratio": m.update_ratio}
    cause, fix = "", None
    if m.update_ratio is not None and m.update_ratio < SLOW_UPDATE:
        cause = (f" Each step moves the weights by only {m.update_ratio:.2g} of their size" if m.update_ratio > 0 else
                 " The steps leave the weights unchanged (updates below float precision)")
        if (m.update_ratio < FROZEN_UPDATE and m.suggested_lr is not None and m.lr is not None and m.lr > 0
                and m.lr * TOO_LOW_FACTOR <= m.suggested_lr):
            evidence.update({"user_lr": m.lr, "suggested_lr": m.suggested_lr})
            cause += (f", and the range test finds the loss falls at lr={m.suggested_lr:.2g}, {m.suggested_lr / m.lr:.0f}x your "
                      f"lr={m.lr:.2g}: the LR is too small for any learning.")
            fix = f"Raise the LR toward {m.suggested_lr:.2g}."
        else:
            cause += "."
    yield Finding(
        "O406", Severity.ERROR,
        f"The train loss went from {values[0]:.4g} to {values[-1]:.4g} {curve.span} (moved at most {flat['max_change']:.2%}, "
        f"{flat['late_change']:.2%} over the second half){prior}: nothing is being learned." + cause,
        evidence, fix=fix,
    )


# -- O407 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class OscillationEvidence:
    """A loss curve to judge for oscillation: ``fixed-set`` evaluations or ``per-step`` minibatch losses.

    ``steps_of``: the optimizer step of each point (to name where a spike began).
    """

    values: tuple[float, ...]
    source: str
    steps_of: tuple[int, ...] = ()


@verdict("O407")
def oscillating_loss(m: OscillationEvidence) -> Iterable[Finding]:
    """The loss keeps climbing back above levels it had reached, beyond what noise explains.

    A fixed-set curve has no minibatch noise, so any climb of ``OSCILLATION_SWING`` above
    the lows on both sides of the typical point is a swing; a per-step curve must swing more
    than its within-window noise explains, bounce by half its level, or spike repeatedly.
    """
    if m.source == "fixed-set":
        found = bouncing(m.values)
        if found is None:
            return
        yield Finding(
            "O407", Severity.WARNING,
            f"The train loss keeps climbing back up: at {found['climbing']} of its {found['inner_evaluations']} inner "
            f"evaluations it sits {OSCILLATION_SWING:.0%} or more above the lows on both sides of it (median "
            f"{found['median_climb']:.0%}, largest {found['largest_climb']:.0%}), so each stretch of progress is partly "
            "undone by the next steps.",
            {**found, "train_loss": list(m.values), "eval_steps": list(m.steps_of)},
        )
        return
    evidence = oscillation_evidence(m.values)
    if evidence is None:
        return
    if "first_spike_index" in evidence and evidence["first_spike_index"] < len(m.steps_of):
        evidence["first_spike_step"] = m.steps_of[evidence["first_spike_index"]]
    if evidence["shape"] == "spikes":
        message = (f"The train loss jumped to over {DIVERGED_RISE:g}x its starting value {evidence['start']:.3g} on {evidence['spikes']} "
                   f"separate occasions (up to {evidence['peak']:.3g}) and fell back each time, ending no lower than it started "
                   f"({evidence['end']:.3g}): the steps overshoot and the loss bounces instead of descending.")
    elif evidence["shape"] == "swings":
        message = (f"In the second half of the run the train loss (means of twentieths of the run) swings by {evidence['swing']:.0%} of "
                   f"its starting value, {evidence['between_window_std'] / max(evidence['noise_std'], 1e-12):.0f}x more than minibatch "
                   f"noise explains, with a net trend of only {evidence['efficiency']:.0%} of the distance travelled.")
    else:
        message = (f"The train loss bounces: in the second half consecutive steps differ by {evidence['median_jump']:.3g} (median), "
                   f"more than half its level {evidence['level']:.3g}, and it is no lower than at the start ({evidence['start']:.3g}).")
    yield Finding("O407", Severity.WARNING, message, evidence)


# -- O409 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegularisationAB:
    """Equal training of two copies, with and without the user's regularisation (checkup)."""

    regularisers: Mapping[str, Any]
    with_loss: float
    without_loss: float
    steps: int


@dataclass(frozen=True)
class DecayInRun:
    """How the weights' total norm changed under weight decay in a live run."""

    weight_decay: float
    norm_start: float
    norm_end: float
    final_loss: float


@dataclass(frozen=True)
class RegularisationEvidence:
    """What speaks to regularisation preventing the fit; ``reference`` in the loss's own units."""

    reference: float | None
    ab: RegularisationAB | None = None
    in_run: DecayInRun | None = None


@verdict("O409")
def excessive_regularisation(m: RegularisationEvidence) -> Iterable[Finding]:
    """Regularisation keeps the fit not even halfway below the constant predictor, and is shown to be why.

    Checkup shows it by removing the regularisation from an identical copy (at most half
    the loss then); a live run by the weights: learning from a sensible init keeps or
    grows their norm, so weights that lost half of it while the loss stays high were taken
    by the decay, not by the data.
    """
    reference = m.reference
    if reference is None or reference <= 0:
        return
    if m.ab is not None and math.isfinite(m.ab.with_loss):
        ab = m.ab
        if ab.with_loss > REGULARISED_STAYS * reference and ab.without_loss <= UNREGULARISED_GAIN * ab.with_loss:
            used = ab.regularisers
            parts = ([f"weight_decay={used['weight_decay']:g}"] if used.get("weight_decay", 0) > 0 else []) + [
                f"dropout p={p:g} at {name}" for name, p in (used.get("dropout") or {}).items()]
            yield Finding(
                "O409", Severity.WARNING,
                f"With {', '.join(parts)} the train loss stays at {ab.with_loss:.3g} after {ab.steps} steps "
                f"(the constant predictor scores {reference:.3g}); an identical copy without them reaches {ab.without_loss:.3g}.",
                {"with_regularisation": ab.with_loss, "without_regularisation": ab.without_loss,
                 "reference": reference, "regularisers": dict(used), "steps": ab.steps},
            )
            return
    run = m.in_run
    if run is not None and run.weight_decay > 0 and run.norm_start > 0 and run.norm_end <= WEIGHTS_SHRUNK * run.norm_start \
            and run.final_loss > REGULARISED_STAYS * reference:
        yield Finding(
            "O409", Severity.WARNING,
            f"With weight_decay={run.weight_decay:g} the weights shrank to {run.norm_end / run.norm_start:.0%} of their starting "
            f"norm while the train loss stayed at {run.final_loss:.3g}, not even halfway below the constant predictor's "
            f"{reference:.3g}: the decay outweighs what the data asks of the weights.",
            {"weight_decay": run.weight_decay, "weight_norm_start": run.norm_start, "weight_norm_end": run.norm_end,
             "final_train_loss": run.final_loss, "reference": reference},
        )


# -- O410 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class OptimizerSettings:
    """An optimizer's class name and its parameter groups' settings (without the params)."""

    kind: str
    groups: tuple[Mapping[str, Any], ...]
    location: str = "optimizer"


def settings_problems(kind: str, groups: Sequence[Mapping[str, Any]]) -> list[tuple[Severity, str, dict[str, Any]]]:
    """Invalid or pathological hyperparameters of an optimizer's parameter groups."""
    problems: list[tuple[Severity, str, dict[str, Any]]] = []
    for index, group in enumerate(groups):
        where = f"group {index}" if len(groups) > 1 else "the optimizer"
        lr = group.get("lr")
        lr = float(lr) if lr is not None else None
        if lr is not None and lr <= 0:
            problems.append((Severity.ERROR, f"{where} has lr={lr:g}: no parameter can move", {"lr": lr}))
        momentum = group.get("momentum")
        if momentum is not None and not 0 <= float(momentum) < 1:
            problems.append((Severity.ERROR, f"{where} has momentum={momentum}: outside [0, 1) the velocity never decays and the updates grow without bound", {"momentum": momentum}))
        betas = group.get("betas")
        if betas is not None and not all(0 <= float(b) < 1 for b in betas):
            problems.append((Severity.ERROR, f"{where} has betas={tuple(betas)}: each must lie in [0, 1)", {"betas": list(betas)}))
        eps = group.get("eps")
        if eps is not None and kind in ADAPTIVE and not EPS_RANGE[0] <= float(eps) <= EPS_RANGE[1]:
            effect = "lets steps blow up where the gradient's running scale is near zero" if float(eps) < EPS_RANGE[0] else "swamps the gradient's running scale, turning the optimizer into slow plain SGD"
            problems.append((Severity.WARNING, f"{where} has eps={eps:g}, which {effect}", {"eps": eps}))
        decay = float(group.get("weight_decay", 0.0) or 0.0)
        if decay > 0 and lr is not None and lr > 0:
            if kind in ADAPTIVE and kind not in DECOUPLED:
                pathological, shown = decay >= 1.0, f"weight_decay={decay:g} added to the gradient before {kind}'s normalisation dominates it"
            else:
                pathological, shown = lr * decay >= DECAY_PER_STEP, f"lr*weight_decay={lr * decay:.2g}: every step shrinks each weight by that share"
            if pathological:
                problems.append((Severity.WARNING, f"{where} has {shown}", {"weight_decay": decay, "lr": lr}))
    return problems


@verdict("O410")
def optimizer_settings(m: OptimizerSettings) -> Iterable[Finding]:
    """Each invalid or pathological setting of the optimizer, one finding each."""
    for severity, message, evidence in settings_problems(m.kind, m.groups):
        yield Finding("O410", severity, f"{m.kind}: {message}.", {"optimizer": m.kind, **evidence}, location=m.location)


# -- G601 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrainValCurves:
    """Train and validation losses at the same points (``steps``), in the same units.

    ``length_chosen``: nndoctor chose the run's length (checkup's trial), so a validation
    curve that merely turns up within it says where to stop, and only one whose rise undoes
    everything validation gained says the setup overfits as a matter of course.
    ``restored_at``: the step at which the run loaded weights back after its last update.
    ``source``: where the validation losses came from.
    """

    train: tuple[float, ...]
    val: tuple[float, ...]
    steps: tuple[int, ...]
    val_acc: tuple[float | None, ...] = ()
    length_chosen: bool = False
    restored_at: int | None = None
    last_step: int | None = None
    source: str = "measured"


@verdict("G601")
def overfitting_verdict(m: TrainValCurves) -> Iterable[Finding]:
    """Validation loss turned up while train loss kept falling.

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
        else:
            message += "."
    yield Finding("G601", severity, message,
                  {**evidence, "best_step": step, "eval_steps": list(m.steps), "val_source": m.source, "restored_at": m.restored_at},
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
    (``trial_fitted``). ``lr_cause_when_fixed``: the code that names the user's LR when a
    higher LR fits (O406 when the weights are frozen, else O402).
    Watch: the final train loss against the constant predictor's (``reference``, in the
    loss's own units), ``prior`` when the reference is a label entropy counted from a sample.
    """

    samples: int = 0
    reference: float | None = None
    target_loss: float | None = None
    target_known: bool = True
    attempts: tuple[Attempt, ...] = ()
    trial_fitted: bool = False
    lr_cause_when_fixed: str = "O402"
    final_loss: float | None = None
    steps: int = 0
    prior: PriorEntropy | None = None
    still_falling: bool = False


@verdict("G602")
def underfitting(m: FitEvidence) -> Finding | None:
    """The model cannot fit even its training data.

    Checkup: one batch could not be memorised at the user's LR. An attempt stopped by the
    clock, or still falling toward the target when its budget ended, proves nothing; nor does
    a target not in the loss's own units. When the range test's LR memorises it, the LR is
    the root cause and G602 its symptom (``evidence["lr_cause"]`` names the LR's code). Watch: the run ends with the train loss still at
    ``UNDERFIT_SHARE`` or more of the constant predictor's (the most it can be, given the
    labels counted). A train loss still falling when the run ended (``still_falling``, G605's
    reading) has not stayed high, only not come down yet: advice (info), not a fault.
    """
    if m.attempts:
        user = m.attempts[0]
        if m.trial_fitted or not m.target_known or user.fitted or not user.conclusive or m.target_loss is None:
            return None
        other = next((a for a in m.attempts if a.source == "suggested"), None)
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
            # the probe itself measured the cause: diagnosis.rank links G602 under the code named here when present
            code = m.lr_cause_when_fixed if other.lr > user.lr else "O401"
            return Finding("G602", Severity.WARNING, message + f"; at lr={other.lr:.2g} it fits, so the LR is the cause.",
                           {**evidence, "fitted_at_lr": other.lr, "lr_cause": code})
        if other is not None and not other.conclusive:
            return None
        if other is not None:
            message += f"; at the range test's lr={other.lr:.2g} it reached {other.final_loss:.3g} and did not fit either"
        return Finding("G602", Severity.ERROR, message + ".", {**evidence, "at_any_lr": True})
    reference, end = m.reference, m.final_loss
    if reference is None or reference <= 0 or end is None or not math.isfinite(end) or end < UNDERFIT_SHARE * reference:
        return None
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


# -- G603 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClassRecall:
    """Per-class recall and support on one pass; ``where`` names the pass in words."""

    recall: Mapping[int, float]
    support: Mapping[int, int]
    where: str
    split: str | None = None


@verdict("G603")
def accuracy_paradox_verdict(m: ClassRecall) -> Iterable[Finding]:
    """Accuracy about the majority share while some class of real size is never recalled."""
    evidence = accuracy_paradox(m.recall, m.support)
    if evidence:
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
    alone predicts the validation labels (checkup). ``train_median``/``val_median``: the
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
        where = "column " + str(leak["column"]) if len(leak["position"]) == 1 else f"input position {tuple(leak['position'])}"
        yield Finding(
            "G604", Severity.WARNING,
            f"Input {where} alone predicts the validation labels with balanced accuracy {leak['balanced_accuracy']:.1%} "
            f"({leak['val_rows']} rows; a one-column decision tree fitted on the training rows): the label leaks into the "
            "inputs, so a validation score measures the leak, not the model.",
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
        pace = "per unit of LR, a schedule twice as long" if "slope_per_unit_lr" in evidence else "a run twice as long"
        message = (f"The train loss was still falling steadily when the run ended ({seen}); at that pace {pace} "
                   f"would take another {min(evidence['projected_drop'], 1.0):.0%} off: it would gain from training longer.")
    else:
        message = (f"The train loss was still falling when the run ended ({seen}): doubling the run's length last bought "
                   f"{evidence['doubling_drop']:.0%}, so it would gain from training longer.")
    yield Finding("G605", Severity.INFO, message, evidence)
