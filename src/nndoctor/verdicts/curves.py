"""Training curves: the thresholds and curve measures shared by the optimisation and generalisation verdicts.

The verdicts (:mod:`.optimisation`, :mod:`.generalisation`) each decide one code (or one pair that excludes each other)
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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

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
# O403: the steps before a step, whose median norm is the gradient's local size: a spike EXPLODING_GROWTH times it
# is a cliff (Pascanu et al., 2013), not the noise of one batch.
CLIFF_WINDOW = 20
# O403: the loss after such a spike gave back this share of what training had gained before it (from the first
# steps' level): harm, not a rough batch near convergence (a tenth, as OVERFIT_RISE for a validation curve).
CLIFF_UNDONE = 0.1
# O403: a spike measured from the first steps' norm (one that built up) holds the gradient's healthy growth off its
# init too, so its harm must undo all that training had gained: the loss after it back above where it began.
BUILT_UP_UNDONE = 1.0
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
# O407 (spikes): batches of a heavy-tailed target jump above DIVERGED_RISE x the start through their content alone,
# at fixed weights; the steps' jumps are those beyond that rate (a one-sided binomial test at 1%).
CONTENT_ALPHA = 0.01
# O407 (per-step): the level the loss started from is the median of the first few minibatch losses: a
# handful of steps at any usable LR barely move the weights, and the median of five outlasts two outlier batches.
START_STEPS = 5
MIN_STEPS_FOR_CURVES = 30
# A run whose train loss ends not even halfway below the constant predictor's did not fit its training data.
# O409: with regularisation the fit is that high, while without it the loss is at most half as large; in a live
# run, weights that lost half their norm while the loss stays that high were taken by the decay. O404 (through
# time): a plain recurrent layer whose gradient vanished back through time is why such a run fell short.
UNFITTED_SHARE = 0.5
UNREGULARISED_GAIN = 0.5
WEIGHTS_SHRUNK = 0.5
# O410: per-step decay lr*weight_decay above this loses 10% of every weight per step.
DECAY_PER_STEP = 0.1
# Optimizers whose step for each weight is about the LR, whatever its gradient's size (each divides by a running
# gradient scale). Adafactor divides too, so a summed loss's scale cancels under it (SCALE_FREE), but its default
# step is relative to each weight's size, not the LR: the LR-sized-step readings (O402, M202, O403) leave it out.
ADAPTIVE = ("Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad", "Adadelta", "RMSprop", "SparseAdam")
SCALE_FREE = (*ADAPTIVE, "Adafactor")
DECOUPLED = ("AdamW",)
# O410: Adam's eps is meant to be negligible next to the gradient's running scale, and not vanish in float32.
EPS_RANGE = (1e-12, 1e-2)
# A validation loss compares with the training side only in the training targets' units. Within one unit system
# a validation split's targets lie within a few training spreads of the training mean, with a spread of the same
# order; a loop that de-standardises its predictions first scores targets whose mean sits tens of spreads away
# (or whose spread is the unit's factor): past this factor either way the two are taken to be in other units.
TARGET_UNITS_FACTOR = 4.0


def in_same_units(train_mean: float, train_spread: float, mean: float, spread: float) -> bool:
    """Whether targets of ``mean``/``spread`` are in the units of training targets of ``train_mean``/``train_spread``
    (:data:`TARGET_UNITS_FACTOR`); True when the training spread is 0 (nothing to measure units by)."""
    if not train_spread > 0:
        return True
    return (abs(mean - train_mean) <= TARGET_UNITS_FACTOR * train_spread
            and train_spread / TARGET_UNITS_FACTOR <= spread <= TARGET_UNITS_FACTOR * train_spread)


# G601: validation loss 10% above its best while train loss kept falling (not one noisy point).
OVERFIT_RISE = 0.10
# G601: the untrained model's validation loss at most this many times its train loss for the two
# to be comparable (a larger gap exists before any learning: the sets differ).
COMPARABLE_AT_INIT = 2.0
# G601's gap half: over the last half of the evaluations validation no longer falls (its fitted line
# closes under a tenth of the gap) while train loss sits at a quarter of it or less (beyond the
# doubling dropout alone explains, see DROPOUT_RATIO) and the gap is a tenth or more of what the
# constant predictor scores: the extra epochs memorise the training set.
GAP_TAIL = 0.5
GAP_CLOSED = 0.1
GAP_RATIO = 4.0
GAP_SHARE = 0.1
# G602: a live run whose final loss is still 90% of the constant predictor's has learned nothing.
UNDERFIT_SHARE = 0.9
# G602: the single-batch test's bar: a model fits training data when its loss falls below this share of the
# constant predictor's (the playbook's "overfit one batch": near zero, in the units the labels allow).
FIT_SHARE = 0.1
# G603: a class this size that is never recalled, with accuracy within this of a majority share.
PARADOX_MIN_SUPPORT = 5
PARADOX_MARGIN = 0.02
PARADOX_MAJORITY = 0.5
# G603 is not the model's when its probabilities serve the class it never predicts: a model fitted by a proper
# scoring rule (cross-entropy) gives each class its share of probability on average, so a mean under half of the
# share says the outputs were pushed off it (weights inverted, the class given up); an ROC AUC of 0.7 is the
# conventional floor of acceptable discrimination (Hosmer & Lemeshow), 0.5 being no ranking at all.
CALIBRATED_SHARE = 0.5
INFORMATIVE_AUC = 0.7
# D106/G603: classes are imbalanced when the largest is this many times the smallest (the
# paradox needs an imbalance to hide behind: on balanced classes one class predicted
# everywhere scores chance, which looks like nothing, not like learning).
IMBALANCE_RATIO = 3.0
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


def _end_level(values: Sequence[float], statistic: Callable[[np.ndarray], Any] = np.mean) -> float:
    """Mean (or ``statistic``) of the last tenth of a per-step curve (at least 5 points): where the run ended."""
    array = np.asarray(values, dtype=float)
    return float(statistic(array[-max(5, len(array) // 10):]))


def not_halfway(loss: float, reference: float | None) -> bool:
    """The train loss is not even halfway below the constant predictor's ``reference`` (``UNFITTED_SHARE``): the run
    did not fit its training data (O409's and O404's reading)."""
    return reference is not None and loss > UNFITTED_SHARE * reference


def did_not_fit(flat: bool, final_loss: float | None, reference: float | None) -> bool:
    """The run fell short of fitting its training data: its loss stayed flat, or its final loss (None: not judged)
    ended not even halfway below the constant predictor's (:func:`not_halfway`). O404 through time reads it, from
    the trial's curve in checkup and from the script's own in ``run``."""
    return flat or (final_loss is not None and not_halfway(final_loss, reference))


# A per-step loss curve is read as this many window means (smooths minibatch noise; the shape verdicts read them).
CURVE_WINDOWS = 10


def windows(values: Sequence[float], count: int, statistic: Callable[[np.ndarray], Any] = np.mean) -> np.ndarray:
    """Means (or ``statistic``) of ``count`` equal consecutive windows (smooths minibatch noise)."""
    array = np.asarray(values, dtype=float)
    if len(array) < count:
        return array
    return np.array([float(statistic(chunk)) for chunk in np.array_split(array, count)])


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


def class_prior_loss(counts: Sequence[float], weight: Sequence[float] | None = None, smoothing: float = 0.0,
                     classes: int | None = None) -> PriorEntropy | None:
    """The best constant predictor's cross-entropy under class weights and label smoothing (nats), else None.

    Without either it is :func:`prior_entropy`. With them, torch's mean-reduced loss of a constant
    prediction q over labels counted ``n_c`` is ``sum_c a_c * -log q_c`` with
    ``a_c = ((1 - eps) n_c w_c + eps N w_c / K) / sum_c n_c w_c``: minimised at q ∝ a, where it is
    ``sum_c a_c * -log(a_c / sum a)``. ``upper`` adds one label of each class when some were seen
    once only (the share of unseen mass, as :func:`prior_entropy` reads it).
    """
    if weight is None and not smoothing:
        return prior_entropy(counts, classes)
    n = np.asarray(counts, dtype=float)
    k = max(int(classes or len(n)), len(n))
    n = np.pad(n, (0, k - len(n)))
    w = np.ones(k) if weight is None else np.asarray(weight, dtype=float)
    if len(w) != k or n.sum() <= 0 or not 0.0 <= smoothing <= 1.0:
        return None

    def loss(c: np.ndarray) -> float | None:
        total = float((c * w).sum())
        if total <= 0:
            return None
        a = ((1 - smoothing) * c * w + smoothing * c.sum() * w / k) / total
        kept = a > 0
        return float(-(a[kept] * np.log(a[kept] / a.sum())).sum())

    estimate = loss(n)
    if estimate is None:
        return None
    unseen = float(np.sum(n == 1)) / float(n.sum())
    upper = max(estimate, loss(n + 1) or estimate) if unseen > 0 else estimate
    return PriorEntropy(estimate, upper, int(n.sum()), k, int(np.sum(n > 0)), unseen)


def smoothed_target_entropy(smoothing: float, classes: int) -> float:
    """The lowest mean cross-entropy under ``label_smoothing`` (no class weights): the smoothed target's own entropy.

    ``CrossEntropyLoss(label_smoothing=e)`` scores predictions against ``1 - e + e/K`` on the label
    and ``e/K`` on each other class; a perfect fit predicts exactly that and still scores its
    entropy, so how far a curve can fall is measured above it. 0 without smoothing.
    """
    if smoothing <= 0 or classes < 2:
        return 0.0
    true, other = 1.0 - smoothing + smoothing / classes, smoothing / classes
    return float(-true * math.log(true) - (classes - 1) * other * math.log(other))


# -- curve shapes (pure measurements) ---------------------------------------------------
def progress(values: Sequence[float]) -> float | None:
    """Share of its start that a loss curve fell to its lowest point; None when not measurable."""
    array = np.asarray([v for v in values if math.isfinite(v)], dtype=float)
    if len(array) < 2 or array[0] <= 0:
        return None
    return float((array[0] - array.min()) / array[0])


def progress_past_prior(values: Sequence[float], reference: float | None) -> float | None:
    """Like :func:`progress`, from the lower of the start and the constant predictor's loss ``reference``.

    A loss that starts above the constant predictor first falls to it by learning the output's
    offset and scale, which any LR does; learning from the inputs is what it gains below that.
    """
    array = np.asarray([v for v in values if math.isfinite(v)], dtype=float)
    if reference is None or not math.isfinite(reference) or reference <= 0 or len(array) < 2:
        return progress(values)
    start = min(float(array[0]), reference)
    return float(max(start - array.min(), 0.0) / start) if start > 0 else None


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


def oscillation_evidence(losses: Sequence[float], content_share: float | None = None,
                         content_typical: float | None = None) -> dict[str, Any] | None:
    """Evidence that the per-step loss swings without a downward trend, beyond minibatch noise.

    Three shapes: window means that wander up and down far more than their within-window
    noise explains (slow oscillation), a second half that made no progress on the start
    while consecutive steps jump by more than half the loss level (bouncing), or a loss
    that repeatedly jumps to multiples of its starting value and falls back, ending no
    lower than it began (spikes). ``content_share``: where measured, the share of batches whose
    loss at the constant predictor's level jumps that high by their content alone (outliers of a
    heavy-tailed target); spikes no more frequent than that are the batches', not the steps'.
    ``content_typical``: where measured, the typical (median) such batch: a bouncing loss that sits below it has made
    progress on "no learning", whatever batch the run happened to start on.
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
    # the few batches at the start can all be light ones of a heavy-tailed target: "no progress" is then judged
    # against the constant predictor's typical batch too, as O401 judges a rise against the constant's loss
    constant = content_typical is not None and content_typical > begun
    begun = content_typical if constant else begun
    if level > 0 and level >= 0.8 * begun and jumps >= 0.5 * level:
        return {"median_jump": jumps, "level": level, "start": begun, "start_is_constant": constant,
                "windows": means.tolist(), "shape": "bouncing",
                "swing": float(half.max() - half.min()) / start, "rises": float((np.diff(half) > 0).mean())}
    first = float(values[0])
    above = values > DIVERGED_RISE * first
    excursions = int(np.count_nonzero(above[1:] & ~above[:-1]))
    end = _end_level(values)
    # no progress by the typical batch too: outlier batches of a heavy-tailed loss spike from the first steps on, at
    # the same rate, and keep the mean up while the median batch falls. The start stays the loss at init: steps that
    # overshoot throw the loss up within the first few, so a median over them is no start.
    typical_end = float(np.median(values[-max(5, len(values) // 10):]))
    if first > 0 and excursions >= SPIKES and end >= 0.8 * first and typical_end >= 0.8 * first:
        if content_share is not None and not _beyond_content(int(above.sum()), len(values), content_share):
            return None
        return {"spikes": excursions, "start": first, "peak": float(values.max()), "end": end, "windows": means.tolist(),
                "shape": "spikes", "first_spike_index": int(np.argmax(above))}
    return None


def _beyond_content(above: int, steps: int, content_share: float) -> bool:
    """Whether ``above`` of ``steps`` losses over the spike line is more than batches' content gives at
    ``content_share`` per batch (one-sided binomial test at ``CONTENT_ALPHA``)."""
    from scipy.stats import binom

    return float(binom.sf(above - 1, steps, min(max(content_share, 0.0), 1.0))) < CONTENT_ALPHA


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


def memorising_gap(train: Sequence[float], val: Sequence[float], reference: float | None) -> dict[str, Any] | None:
    """Evidence that validation stopped improving far above a train loss that kept falling, else None.

    ``reference``: the constant predictor's loss in the same units (the gap is measured in it).
    Validation has stopped when a least-squares line through the last ``GAP_TAIL`` of the
    evaluations (at least three) closes under ``GAP_CLOSED`` of the final gap over that stretch
    (its noise averages out in the fit, a still-falling curve does not); the final train loss
    must be at most 1/``GAP_RATIO`` of validation's level over that stretch (its mean) and the
    gap at least ``GAP_SHARE`` of the reference.
    """
    train_array, val_array = np.asarray(train, dtype=float), np.asarray(val, dtype=float)
    if (reference is None or not math.isfinite(reference) or reference <= 0 or len(val_array) < 5
            or len(train_array) != len(val_array) or not (np.isfinite(train_array).all() and np.isfinite(val_array).all())):
        return None
    start = len(val_array) - max(3, math.ceil(GAP_TAIL * len(val_array)))
    tail = val_array[start:]
    slope = float(np.polyfit(np.arange(len(tail), dtype=float), tail, 1)[0])
    closed = max(0.0, -slope * (len(tail) - 1))
    final_train, final_val = float(train_array[-1]), float(np.mean(tail))
    gap = final_val - final_train
    if gap < GAP_SHARE * reference or final_val < GAP_RATIO * max(final_train, 0.0) or closed >= GAP_CLOSED * gap:
        return None
    return {"tail_start_index": start, "val_level": final_val, "final_train_loss": final_train, "gap": gap,
            "gap_share_of_reference": gap / reference, "reference": reference, "ratio": final_val / final_train if final_train > 0 else math.inf,
            "val_closed_over_tail": closed, "train_loss_at_tail_start": float(train_array[start]),
            "start_val_loss": float(val_array[0]), "best_val_loss": float(val_array.min())}


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
    """Classes never recalled while accuracy is no better than predicting the majority of imbalanced classes."""
    total = sum(support.values())
    present = [n for n in support.values() if n > 0]
    if not total or len(present) < 2 or max(present) < IMBALANCE_RATIO * min(present):
        return None
    majority = max(support.values()) / total
    acc = sum(recall[c] * support[c] for c in support) / total
    ignored = [c for c in support if support[c] >= PARADOX_MIN_SUPPORT and recall.get(c, 0.0) == 0.0]
    # "about the majority share": what the model adds over always guessing the majority is within the margin, or no
    # more than the share of the samples it never recognises (a majority-plus-one-easy-class predictor hides them too)
    ignored_share = sum(support[c] for c in ignored) / total
    if not ignored or majority < PARADOX_MAJORITY or acc > majority + max(PARADOX_MARGIN, ignored_share):
        return None
    return {"accuracy": acc, "majority_share": majority, "never_predicted": ignored,
            "recall": dict(recall), "support": dict(support)}


def probabilities_serve(classes: Sequence[int], support: Mapping[int, int], probability_share: Mapping[int, float] | None,
                        ranking: Mapping[int, float] | None) -> bool:
    """Whether the model's probabilities serve each of ``classes`` (never predicted): their mean is at least
    ``CALIBRATED_SHARE`` of the class's share of the rows, and they rank its rows with a one-vs-rest ROC AUC of
    ``INFORMATIVE_AUC`` or more. False where either is unknown."""
    total = sum(support.values())
    if not classes or not total or probability_share is None or ranking is None:
        return False
    return all(c in probability_share and c in ranking and probability_share[c] >= CALIBRATED_SHARE * support[c] / total
               and ranking[c] >= INFORMATIVE_AUC for c in classes)


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
