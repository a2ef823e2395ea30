"""Verdicts on optimisation (O4xx): the learning rate, exploding gradients, plateaus, oscillation, regularisation, optimizer settings.

The measurements are the dataclasses beside each verdict; the curve measures they share live in :mod:`.curves`.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..findings import Finding, Severity
from . import verdict
from .curves import (
    ADAPTIVE,
    BUILT_UP_UNDONE,
    CLIFF_UNDONE,
    CLIFF_WINDOW,
    DECAY_PER_STEP,
    DECOUPLED,
    DIVERGED_RISE,
    EPS_RANGE,
    EXPLODING_GROWTH,
    FAST_UPDATE,
    FROZEN_UPDATE,
    GRADIENT_DWARFS_WEIGHTS,
    HEALTHY_UPDATE,
    LITTLE_PROGRESS,
    MIN_STEPS_FOR_CURVES,
    OSCILLATION_EFFICIENCY,
    OSCILLATION_SWING,
    PLATEAU_CHANGE,
    REDRAW_UPDATE,
    ROSE_FACTOR,
    SLOW_UPDATE,
    TOO_LOW_FACTOR,
    UNREGULARISED_GAIN,
    WEIGHTS_SHRUNK,
    _end_level,
    bouncing,
    gradient_growth,
    not_halfway,
    oscillation,
    oscillation_evidence,
    plateau,
    progress,
    progress_past_prior,
    steady_descent,
    straight_descent,
    windows,
)


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
    # the level of a per-step loss is its typical batch as much as its mean: outlier batches of a heavy-tailed
    # target hold a window's mean up by their content alone, while weights that made the loss worse raise every batch
    per_step = curve.source == "per-step" and len(curve.per_step) >= MIN_STEPS_FOR_CURVES
    typical = windows(curve.per_step, len(values), np.median) if per_step else values
    if (values[-1] >= DIVERGED_RISE * values[0] and values[-1] >= DIVERGED_RISE * values.min()
            and typical[-1] >= DIVERGED_RISE * typical[0] and typical[-1] >= DIVERGED_RISE * typical.min()):
        return (f"the train loss diverged {curve.span}: from {values[0]:.4g} at the start to {values[-1]:.4g} at the end, "
                f"after reaching {values.min():.4g}"), {"windows": values.tolist()}
    if not final:
        return None  # where the run ends is known only at its end; a loss high mid-run may still come down
    start = curve.initial if curve.initial is not None else float(values[0])
    # one minibatch's loss at step 0 can be low by chance; the constant predictor's loss is where "no learning" sits
    baseline = max(start, curve.reference or 0.0)
    end = _end_level(curve.per_step) if len(curve.per_step) >= MIN_STEPS_FOR_CURVES else float(values[-1])
    typical_end = _end_level(curve.per_step, np.median) if per_step else end
    if baseline > 0 and end >= ROSE_FACTOR * baseline and typical_end >= ROSE_FACTOR * baseline:
        return (f"training made the loss worse {curve.span}: it was {start:.4g} before the first update and ends at {end:.4g}"
                + (f", above the constant predictor's {curve.reference:.4g}" if curve.reference is not None else "")
                + f", after peaking at {float(values.max()):.4g}"), {"initial_loss": start, "final_loss": end,
                                                                      "reference": curve.reference, "windows": values.tolist()}
    # a loss that exploded by two orders of magnitude (as an exploding gradient, O403) and came back no lower than a
    # fifth below where it began: the steps threw away whatever the weights held (normalised layers then settle at
    # the constant predictor). Swings of a few times the start that settle back are oscillation (O407), not this.
    peak = float(values.max())
    if baseline > 0 and peak >= EXPLODING_GROWTH * baseline and end >= (1.0 - LITTLE_PROGRESS) * baseline:
        return (f"the train loss blew up {curve.span}: from {start:.4g} before the first update to {peak:.4g}, and it ends at "
                f"{end:.4g}" + (f", no better than the constant predictor's {curve.reference:.4g}" if curve.reference is not None
                                and end >= (1.0 - LITTLE_PROGRESS) * curve.reference else ", less than a fifth below its start")
                ), {"initial_loss": start, "peak_loss": peak, "final_loss": end, "reference": curve.reference,
                    "windows": values.tolist()}
    return None


def weights_frozen(m: LearningRateEvidence, limit: float = FROZEN_UPDATE) -> bool:
    """The loss is flat and the steps move the weights by under ``limit`` (``FROZEN_UPDATE``) of their size."""
    return (m.curve is not None and plateau(m.curve.values, m.curve.reference) is not None
            and m.update_ratio is not None and m.update_ratio < limit)


def _steps_sized_by_lr(m: LearningRateEvidence) -> bool:
    """Steps frozen in the median weight layer and the output layer, under an optimizer whose step is about the LR itself.

    An adaptive optimizer divides each gradient by its own running scale, so a weight moves by about
    the LR per step however small its gradient is: where the layers move, yet two orders of magnitude
    below the ~1e-3 rule of thumb, the LR sized those steps. A gradient that never reaches a layer
    leaves it at exactly zero, as does an optimizer that does not hold the layer (T504), and a huge
    epsilon (O410, a cause this links to) shrinks the steps too.
    """
    return (m.optimizer in ADAPTIVE and m.update_ratio is not None and m.last_update_ratio is not None
            and 0 < m.update_ratio < FROZEN_UPDATE and 0 < m.last_update_ratio < FROZEN_UPDATE)


def lr_may_stall(m: LearningRateEvidence) -> bool:
    """The loss is flat under steps a tenth of the ~1e-3 rule of thumb or smaller (``SLOW_UPDATE``): the LR may be
    what stalls it, or a gradient that never reaches the weights; only a range test on a copy tells them apart."""
    return weights_frozen(m, SLOW_UPDATE)


def lr_may_limit(m: LearningRateEvidence, falling_at_end: bool) -> bool:
    """The run ended with its loss still falling steadily (G605's reading) under steps a tenth of the ~1e-3 rule of
    thumb or smaller (``SLOW_UPDATE``, the median weight layer): the budget may have run out on an LR too low to use it
    (O402: the loss falls far too slowly for the budget), or the run was simply short for a sound LR; only a range test
    on a copy tells them apart."""
    return falling_at_end and m.update_ratio is not None and 0 < m.update_ratio < SLOW_UPDATE


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
    could only be fitted at a lower LR. Too low: far below the range test's suggestion with
    little progress (or with the weights frozen: a flat loss whose steps barely move them,
    the plateau O406 this finding then explains), one batch fitted only at a higher LR,
    updates far below the ~1e-3 rule of thumb on a loss that still falls, or a straight
    descent that has not begun to level off while the updates are small. Frozen weights
    with nothing that names the LR (no range test, no single batch) stay the plateau's own:
    a gradient that does not reach the weights freezes them as well.
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

    if lr is not None and lr <= 0:
        return []  # an LR of zero updates nothing: the parameters-not-updated finding's (T504)
    # without a discriminating probe (range test, single batch), "falls too slowly" needs a loss that falls
    flat = curve is not None and plateau(curve.values, curve.reference) is not None
    gained = progress_past_prior(curve.values, curve.reference) if curve is not None else None
    slow = gained is not None and gained < LITTLE_PROGRESS
    frozen = weights_frozen(m)
    why: list[str] = []
    suggested = sweep.suggested_lr if sweep is not None else None
    if suggested is not None and lr is not None and lr * TOO_LOW_FACTOR <= suggested and slow and curve is not None:
        evidence["weights_frozen"] = frozen
        why.append((f"each step moves the weights by only {m.update_ratio:.1e} of their size (healthy is ~1e-3), so the train "
                    f"loss did not move {curve.span}, and the range test finds it falls at lr={suggested:.2g}, "
                    f"{suggested / lr:.0f}x yours") if frozen else
                   (f"it is {suggested / lr:.0f}x below the range test's suggestion {suggested:.2g} and the train loss fell "
                    f"only {max(gained, 0.0):.1%} {curve.span}"
                    + (f", measured from where predicting the constant best guess ({curve.reference:.3g}) would be"
                       if curve.reference is not None and curve.values and curve.values[0] > curve.reference else "")))
    if fixed_by is not None and lr is not None and fixed_by >= TOO_LOW_FACTOR * lr:  # a few times more only needs more steps
        why.append(f"one batch could not be fitted at your LR but was at lr={fixed_by:.2g}, {fixed_by / lr:.0f}x yours")
    if not why and frozen and _steps_sized_by_lr(m):
        evidence["weights_frozen"] = True
        why.append(f"under {m.optimizer}, which scales each weight's step to about the LR whatever its gradient's size, "
                   f"the weight layers move by a median {m.update_ratio:.1e} of their size per step ({m.last_update_ratio:.1e} "
                   f"for the output layer; healthy is ~1e-3), so the train loss did not move {curve.span}")
    if frozen and not why:
        return []  # frozen weights that nothing ties to the LR: the plateau's finding (O406) states the tiny steps
    # a flat loss that still falls steadily, with steps far below the rule of thumb, is slow rather than stuck; steps of
    # exactly zero at a non-zero LR are a gradient that no longer reaches the weights (dead units, a cut path), not the LR
    falling = not flat or (curve is not None and steady_descent(curve.values))
    if (not why and falling and m.update_ratio is not None and 0 < m.update_ratio < SLOW_UPDATE
            and m.last_update_ratio is not None and 0 < m.last_update_ratio < SLOW_UPDATE and slow and curve is not None):
        why.append(f"updates change the weights by only {m.update_ratio:.1e} of their norm per step (healthy is ~1e-3) and "
                   f"the loss fell {gained:.0%} {curve.span}")
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
    layers (watch); ``steps``: the step of each entry of ``norms`` (for the onset of an explosion);
    ``recurrent``: the model's recurrent layers, ``optimizer``: its kind and ``loop_clips``: whether
    the loop clips the gradient (watch; they say whether clipping can be the cure, see diagnosis);
    ``curve``: the train loss over the same run (finite growth it descends steadily through is the
    net leaving a quiet init, not an explosion).
    """

    norms: tuple[float, ...]
    span: str
    label: str = "gradient norm"
    layer_norms: Mapping[str, Sequence[float]] = field(default_factory=dict)
    through_time: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    grad_to_weight: tuple[tuple[int, float], ...] = ()
    steps: tuple[int, ...] = ()
    loss_at: Mapping[int, float] = field(default_factory=dict)
    recurrent: tuple[str, ...] = ()
    optimizer: str | None = None
    loop_clips: bool = False
    curve: LossCurve | None = None


def _norm_at(m: GradientHistory, step: int) -> float:
    return next(n for s, n in zip(m.steps, m.norms) if s == step)


def _starting_loss(m: GradientHistory) -> float:
    """The median of the first five recorded training losses (``m.loss_at``); nan when none was recorded."""
    first = [m.loss_at[s] for s in sorted(m.loss_at)[:5]]
    return float(np.median(first)) if first else math.nan


def _loss_growth_at(m: GradientHistory, step: int | None) -> float | None:
    """The training loss at ``step`` over the median of the first recorded losses (``m.loss_at``), when both are known."""
    if step is None or step not in m.loss_at:
        return None
    start = _starting_loss(m)
    return m.loss_at[step] / start if start > 0 and math.isfinite(start) else None


def _lowest_loss_before(m: GradientHistory, step: int | None) -> float | None:
    """The lowest training loss after the first recorded one and before ``step``, over the first (``m.loss_at``).

    Under 1: the LR made progress before the explosion; None when no loss lies between them.
    """
    if step is None:
        return None
    steps = sorted(s for s in m.loss_at if s < step)
    before = [m.loss_at[s] for s in steps[1:] if math.isfinite(m.loss_at[s])]
    first = m.loss_at[steps[0]] if steps else math.nan
    return min(before) / first if before and math.isfinite(first) and first > 0 else None


def starting_norm(norms: Sequence[float], window: int = 5) -> float:
    """The median of the first ``window`` norms; the first norm alone where one of them is not finite: a gradient that
    turned NaN within those steps had no settled start to take a median of (and a NaN is no size)."""
    head = [float(n) for n in norms[:window]]
    if not head:
        return math.nan
    return float(np.median(head)) if all(math.isfinite(n) for n in head) else head[0]


def explosion_onset(m: GradientHistory) -> int | None:
    """The step (from ``m.steps``) of the first norm at ``EXPLODING_GROWTH`` times the first steps' median, or non-finite."""
    if len(m.steps) != len(m.norms) or not m.norms:
        return None
    start = starting_norm(m.norms)
    return next((step for step, n in zip(m.steps, m.norms) if not math.isfinite(n) or n >= EXPLODING_GROWTH * start), None)


def explosion_from_first_step(m: GradientHistory, window: int = 5) -> tuple[float, int] | None:
    """Growth that begins at the first step, where the median of the first ``window`` norms already holds it.

    The largest of the first ``2 * window`` norms over the first step's, with its step, when it
    is ``EXPLODING_GROWTH`` or more and the loss at that step rose to ``DIVERGED_RISE`` times the
    first step's: the harm that tells an explosion from a quiet start that the net grows out of.
    """
    if len(m.norms) < 2 * window or len(m.steps) != len(m.norms) or not m.norms[0] > 0:
        return None
    head = [n if math.isfinite(n) else math.inf for n in m.norms[:2 * window]]
    peak = int(np.argmax(head))
    first_loss, peak_loss = m.loss_at.get(m.steps[0]), m.loss_at.get(m.steps[peak])
    growth = head[peak] / m.norms[0]
    if growth < EXPLODING_GROWTH or first_loss is None or peak_loss is None or not first_loss > 0:
        return None
    rose = not math.isfinite(peak_loss) or peak_loss >= DIVERGED_RISE * first_loss
    return (growth, m.steps[peak]) if rose else None


def gradient_cliff(m: GradientHistory) -> dict[str, Any] | None:
    """The largest gradient spike that met a cliff and undid learning, under unclipped plain steps, else None.

    A spike is a norm ``EXPLODING_GROWTH`` times the median of the ``CLIFF_WINDOW`` measurements before
    it, or times the first steps' median (:func:`starting_norm`) where that is lower: an explosion that
    builds over a few steps before its largest one lifts the median before it, yet has grown by the
    orders of magnitude O403 names; since a gradient also grows off its init as a net learns, a spike
    only that reading qualifies must undo all that was gained (``BUILT_UP_UNDONE``). Never among the
    first five, whose init transient has no settled size. A plain step is the LR times that gradient,
    so it throws the weights by a hundred typical steps; the harm shows when the loss over the next
    ``CLIFF_WINDOW`` steps stays above its level over the ones before by ``CLIFF_UNDONE`` of what
    training had gained from its first steps (an outlier batch's spike the net absorbs, or a hard
    sample near convergence where the typical gradient is tiny, leaves the curve where it was). An
    adaptive optimizer bounds each step to a few LRs whatever the gradient, and a loop that clips caps
    it: neither is judged here.
    """
    if m.loop_clips or m.optimizer is None or m.optimizer in ADAPTIVE or len(m.steps) != len(m.norms):
        return None
    norms = np.asarray(m.norms, dtype=float)
    if len(norms) <= 5 or len(m.loss_at) < 5:
        return None
    # the median of the (up to) CLIFF_WINDOW finite norms before each entry, at least five of them
    padded = np.concatenate([np.full(CLIFF_WINDOW, np.nan), np.where(np.isfinite(norms), norms, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, CLIFF_WINDOW)[: len(norms)]
    finite = np.isfinite(windows).sum(axis=1)
    full, partial = finite == CLIFF_WINDOW, (finite >= 5) & (finite < CLIFF_WINDOW)
    local = np.full(len(norms), np.nan)
    local[full] = np.median(windows[full], axis=1)  # np.nanmedian is far slower: kept for the few gapped windows
    local[partial] = np.nanmedian(windows[partial], axis=1)
    start_norm = starting_norm(m.norms)
    baseline = np.minimum(local, start_norm) if math.isfinite(start_norm) and start_norm > 0 else local  # NaN stays
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = np.where(baseline > 0, norms / baseline, np.nan)
    growth[~np.isfinite(norms)] = np.nan  # a non-finite gradient is the growth reading's, not a spike's
    growth[:5] = np.nan
    spikes = np.flatnonzero(np.nan_to_num(growth, nan=0.0) >= EXPLODING_GROWTH)
    if not len(spikes):
        return None
    candidates = spikes[np.argsort(-growth[spikes])]
    ordered = sorted(m.loss_at)
    loss_steps = np.array(ordered, dtype=float)
    losses = np.array([m.loss_at[s] for s in ordered], dtype=float)
    start = _starting_loss(m)
    for i in candidates:  # the largest spike first: the first that did harm is the one reported
        step = m.steps[i]
        earlier = losses[(loss_steps >= step - CLIFF_WINDOW) & (loss_steps < step)]
        later = losses[(loss_steps > step) & (loss_steps <= step + CLIFF_WINDOW)]
        if len(earlier) < 5 or len(later) < 5 or not (np.isfinite(earlier).all() and np.isfinite(later).all()):
            continue
        level_before, level_after = float(np.median(earlier)), float(np.median(later))
        gained = start - level_before
        # a spike only the first steps' norm qualifies: the norm had been climbing to it (healthy growth included)
        built_up = not norms[i] >= EXPLODING_GROWTH * local[i]
        if gained > 0 and level_after - level_before >= (BUILT_UP_UNDONE if built_up else CLIFF_UNDONE) * gained:
            return {"growth": float(growth[i]), "onset_step": step, "spike_norm": float(norms[i]),
                    "local_norm": float(local[i]), "baseline": "start" if built_up else "local",
                    "start_norm": start_norm, "loss_before": level_before, "loss_after": level_after,
                    "loss_start": start, "gain_undone": (level_after - level_before) / gained}
    return None


@verdict("O403")
def exploding_gradients(m: GradientHistory) -> Iterable[Finding]:
    """Gradients that grow by two orders of magnitude, explode back through time, or dwarf the weights they update.

    Growth is an explosion when it does harm: a gradient that grows from a quiet start (small
    output weights, saturated gates at init) while the train loss falls steadily, never climbing
    back above its earlier lows, is the net starting to learn; the steps it takes are working.
    Growth inside the first steps (:func:`explosion_from_first_step`) counts with a loss that rose.
    """
    growth = gradient_growth(m.norms)
    learning_through = (growth is not None and math.isfinite(growth) and m.curve is not None
                        and steady_descent(m.curve.values))
    early = explosion_from_first_step(m)
    if early is not None and not (growth is not None and growth >= EXPLODING_GROWTH and not learning_through):
        growth, onset = early
        peak = _norm_at(m, onset)
        yield Finding(
            "O403", Severity.ERROR,
            f"The {m.label} grew {growth:.0f}x in the first {m.steps.index(onset)} steps (from {m.norms[0]:.3g} at step "
            f"{m.steps[0]} to {peak:.3g} at step {onset}) while the loss rose from {m.loss_at[m.steps[0]]:.3g} to "
            f"{m.loss_at[onset]:.3g}.",
            # an onset among the first five steps has no clean start to measure growth at it from (as below)
            {"growth": growth, "start_norm": m.norms[0], "peak_norm": peak, "samples": len(m.norms), "onset_step": onset,
             "growth_at_onset": None, "loss_growth_at_onset": None,
             "lowest_loss_before_onset": _lowest_loss_before(m, onset), "from_first_step": True,
             "recurrent_layers": list(m.recurrent), "optimizer": m.optimizer, "loop_clips": m.loop_clips},
        )
        return
    if growth is not None and growth >= EXPLODING_GROWTH and not learning_through:
        finite = [n for n in m.norms if math.isfinite(n)]
        layer_growth = {name: gradient_growth(values) for name, values in m.layer_norms.items()}
        worst = max((n for n, g in layer_growth.items() if g is not None and math.isfinite(g)), key=lambda n: layer_growth[n], default=None)
        start = starting_norm(m.norms)
        peak = max(finite) if finite else None
        onset = explosion_onset(m)
        # growth at the onset is measured from the first five entries: only an onset after them has a clean start
        clean = onset is not None and m.steps.index(onset) >= 5 and start > 0
        yield Finding(
            "O403", Severity.ERROR,
            f"The {m.label} " + ("turned non-finite" if math.isinf(growth) else f"grew {growth:.0f}x")
            + f" {m.span} (from {start:.3g} to a peak of {peak if peak is not None else math.inf:.3g}).",
            {"growth": growth, "start_norm": start, "peak_norm": peak, "samples": len(m.norms), "onset_step": onset,
             "growth_at_onset": _norm_at(m, onset) / start if clean else None,
             "loss_growth_at_onset": _loss_growth_at(m, onset) if clean else None, "lowest_loss_before_onset": _lowest_loss_before(m, onset),
             "recurrent_layers": list(m.recurrent),
             "optimizer": m.optimizer, "loop_clips": m.loop_clips},
            location=worst,
        )
        return
    cliff = gradient_cliff(m)
    if cliff is not None:
        step = cliff["onset_step"]
        yield Finding(
            "O403", Severity.ERROR,
            f"At step {step} the {m.label} spiked to {cliff['spike_norm']:.3g}, "
            + (f"{cliff['growth']:.0f}x its median over the first steps ({cliff['start_norm']:.3g}; it had been "
               f"climbing, to a median of {cliff['local_norm']:.3g} over the {CLIFF_WINDOW} measurements before)"
               if cliff["baseline"] == "start" else
               f"{cliff['growth']:.0f}x its median over the {CLIFF_WINDOW} measurements before ({cliff['local_norm']:.3g})")
            + f", and with {m.optimizer} and no "
            f"clipping that step threw the weights: the train loss went from about {cliff['loss_before']:.3g} before "
            f"it to {cliff['loss_after']:.3g} after it, giving back {cliff['gain_undone']:.0%} of what it had gained "
            f"since its start ({cliff['loss_start']:.3g}). A cliff in the loss surface (common in recurrent nets); "
            "clipping the gradient norm caps such a step.",
            {**cliff, "samples": len(m.norms), "kind": "cliff",
             "lowest_loss_before_onset": _lowest_loss_before(m, step), "recurrent_layers": list(m.recurrent),
             "optimizer": m.optimizer, "loop_clips": m.loop_clips},
            location=f"step {step}",
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
        first_step, first = m.grad_to_weight[0]
        if median >= GRADIENT_DWARFS_WEIGHTS:
            yield Finding(
                "O403", Severity.ERROR,
                f"The gradient is {median:.3g}x the size of the weights it updates (median over {len(m.grad_to_weight)} sampled "
                f"steps; {first:.3g}x at step {first_step}): gradients have exploded, any usable step size throws the weights far away.",
                {"median_grad_to_weight": median, "grad_to_weight": [[s, r] for s, r in m.grad_to_weight[:20]]},
            )
        elif first >= GRADIENT_DWARFS_WEIGHTS and first_step == 0 and not m.loop_clips and m.optimizer is not None \
                and m.optimizer not in ADAPTIVE:
            # one spike is no explosion later in a run, but at init it is: a plain step of lr x gradient
            # re-draws the weights before anything is learned, and the rest of the run starts from there
            yield Finding(
                "O403", Severity.ERROR,
                f"At the first step the gradient is {first:.3g}x the size of the weights it updates (then a median of "
                f"{median:.3g}x): with {m.optimizer} and no clipping the first update alone throws the weights far from "
                "their init, before anything is learned, and every later step starts from there.",
                {"first_grad_to_weight": first, "median_grad_to_weight": median, "at_first_step": True,
                 "grad_to_weight": [[s, r] for s, r in m.grad_to_weight[:20]], "optimizer": m.optimizer,
                 "loop_clips": m.loop_clips, "recurrent_layers": list(m.recurrent)},
            )


# -- O406 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlateauEvidence:
    """The loss curve and what speaks to why it might not move.

    ``update_ratio``: median |Δw|/|w| per step over weight layers (tiny steps are stated as
    what keeps the loss still; whether the LR is why is O402's decision, which then explains
    this finding).
    """

    curve: LossCurve
    update_ratio: float | None = None


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
    cause = ""
    if m.update_ratio is not None and m.update_ratio < SLOW_UPDATE:
        cause = (f" Each step moves the weights by only {m.update_ratio:.2g} of their size." if m.update_ratio > 0 else
                 " The steps leave the weights unchanged (updates below float precision).")
    yield Finding(
        "O406", Severity.ERROR,
        f"The train loss went from {values[0]:.4g} to {values[-1]:.4g} {curve.span} (moved at most {flat['max_change']:.2%}, "
        f"{flat['late_change']:.2%} over the second half){prior}: nothing is being learned." + cause,
        evidence,
    )


# -- O407 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class OscillationEvidence:
    """A loss curve to judge for oscillation: ``fixed-set`` evaluations of training rows, ``validation`` evaluations
    of a held-out set, or ``per-step`` minibatch losses.

    ``steps_of``: the optimizer step of each point (to name where a spike began).
    ``update_ratio``: the run's median update-to-weight ratio, where measured (per-step curves).
    """

    values: tuple[float, ...]
    source: str
    steps_of: tuple[int, ...] = ()
    update_ratio: float | None = None
    content_share: float | None = None  # per-step: batches over the spike line by content alone (``oscillation_evidence``)
    content_typical: float | None = None  # per-step: the typical batch's loss at the constant predictor (the same)


# Curves of one fixed sample set, free of minibatch noise: the trial's train-set evaluations ("fixed-set") and a
# run's validation evaluations ("validation"). Between two evaluations only the weights change, so a climb is theirs.
FIXED_SETS = ("fixed-set", "validation")


@verdict("O407")
def oscillating_loss(m: OscillationEvidence) -> Iterable[Finding]:
    """The loss keeps climbing back above levels it had reached, beyond what noise explains.

    A fixed-set curve has no minibatch noise, so any climb of ``OSCILLATION_SWING`` above
    the lows on both sides of the typical point is a swing; a per-step curve must swing more
    than its within-window noise explains, bounce by half its level, or spike repeatedly.
    Steps that move the weights by under ``FROZEN_UPDATE`` of their size cannot overshoot: a
    per-step curve that bounces under them shows its batches differing, not the steps.
    """
    if m.source in FIXED_SETS:
        found = bouncing(m.values)
        if found is None or (m.source == "validation" and not _no_downward_trend(m.values)):
            return
        which = "train" if m.source == "fixed-set" else "validation"
        yield Finding(
            "O407", Severity.WARNING,
            f"The {which} loss keeps climbing back up: at {found['climbing']} of its {found['inner_evaluations']} inner "
            f"evaluations it sits {OSCILLATION_SWING:.0%} or more above the lows on both sides of it (median "
            f"{found['median_climb']:.0%}, largest {found['largest_climb']:.0%}), so each stretch of progress is partly "
            "undone by the next steps.",
            {**found, f"{which}_loss": list(m.values), "eval_steps": list(m.steps_of), "curve": which},
        )
        return
    if m.update_ratio is not None and m.update_ratio < FROZEN_UPDATE:
        return
    evidence = oscillation_evidence(m.values, m.content_share, m.content_typical)
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
                   f"more than half its level {evidence['level']:.3g}, and it is no lower than "
                   + ("the constant predictor's typical batch" if evidence.get("start_is_constant") else "at the start")
                   + f" ({evidence['start']:.3g}).")
    yield Finding("O407", Severity.WARNING, message, evidence)


def _no_downward_trend(values: Sequence[float]) -> bool:
    """The curve's second half nets under ``OSCILLATION_EFFICIENCY`` of the distance it travels (O407: "without a
    downward trend"); a validation curve can swing on its way down while the steps still make progress."""
    measured = oscillation(values)
    return measured is not None and measured["efficiency"] < OSCILLATION_EFFICIENCY


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
        if not_halfway(ab.with_loss, reference) and ab.without_loss <= UNREGULARISED_GAIN * ab.with_loss:
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
            and not_halfway(run.final_loss, reference):
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


# Adam's step m/sqrt(v) is at most (1 - b1) / sqrt((1 - b2)(1 - b1²/b2)) times the LR (Cauchy-Schwarz over the two
# exponential sums of past gradients): finite only while b1² < b2, that is while a gradient's trace in the first moment
# fades faster than its trace in the second moment's root. Adamax divides by a max-norm that fades by b2 per step:
# (1 - b1) / (1 - b1/b2), finite while b1 < b2. Every usual pair keeps clear of it: (0.9, 0.999), (0.9, 0.95),
# (0.5, 0.999).
SQUARED_MOMENT = ("Adam", "AdamW", "NAdam", "RAdam", "SparseAdam")
MAX_NORM_MOMENT = ("Adamax",)


def betas_problem(kind: str, betas: Sequence[float] | None) -> tuple[Severity, str] | None:
    """What is wrong with an optimizer's ``betas``: out of [0, 1) (an error), or a pair whose step has no bound."""
    if betas is None:
        return None
    values = [float(b) for b in betas]
    if not all(0 <= b < 1 for b in values):
        return Severity.ERROR, "each must lie in [0, 1)"
    if len(values) != 2:
        return None
    b1, b2 = values
    if (kind in SQUARED_MOMENT and b1 * b1 >= b2) or (kind in MAX_NORM_MOMENT and b1 >= b2):
        power = "²" if kind in SQUARED_MOMENT else ""
        return Severity.WARNING, (
            f"beta1{power} = {b1 ** (2 if power else 1):.3g} is not below beta2 = {b2:g}: a gradient's trace in the "
            "first moment outlasts its trace in the second, so the step m/√v has no bound and can exceed the LR many "
            "times over (the usual pair is (0.9, 0.999))")
    return None


def settings_problems(kind: str, groups: Sequence[Mapping[str, Any]]) -> list[tuple[Severity, str, dict[str, Any]]]:
    """Invalid or pathological hyperparameters of an optimizer's parameter groups, one entry per problem: groups
    that share a setting (a ``Trainer``'s decay and no-decay groups) share its entry."""
    found: dict[tuple[Severity, str], tuple[list[int], dict[str, Any]]] = {}
    for index, group in enumerate(groups):
        for severity, text, evidence in _group_problems(kind, group):
            found.setdefault((severity, text), ([], evidence))[0].append(index)
    problems = []
    for (severity, text), (indices, evidence) in found.items():
        if len(groups) == 1:
            where = "the optimizer"
        elif len(indices) == len(groups):
            where = f"every parameter group ({len(groups)})"
        else:
            where = ("group " if len(indices) == 1 else "groups ") + ", ".join(map(str, indices))
        verb = "have" if where.startswith("groups") else "has"
        shared = {"groups": indices} if len(groups) > 1 else {}
        problems.append((severity, f"{where} {verb} {text}", {**evidence, **shared}))
    return problems


def pathological_settings(kind: str, group: Mapping[str, Any]) -> set[str]:
    """The names of the settings of one parameter group that O410 calls invalid or pathological, so that a remedy
    replaces exactly what the verdict names."""
    return {name for _severity, _text, evidence in _group_problems(kind, group) for name in evidence}


def _group_problems(kind: str, group: Mapping[str, Any]) -> list[tuple[Severity, str, dict[str, Any]]]:
    """One parameter group's problems: (severity, the setting and what it does, evidence)."""
    problems: list[tuple[Severity, str, dict[str, Any]]] = []
    lr = group.get("lr")
    lr = float(lr) if lr is not None else None
    if lr is not None and lr <= 0:
        problems.append((Severity.ERROR, f"lr={lr:g}: no parameter can move", {"lr": lr}))
    momentum = group.get("momentum")
    if momentum is not None and not 0 <= float(momentum) < 1:
        problems.append((Severity.ERROR, f"momentum={momentum}: outside [0, 1) the velocity never decays and the "
                                         "updates grow without bound", {"momentum": momentum}))
    betas = group.get("betas")
    if (problem := betas_problem(kind, betas)) is not None:
        problems.append((problem[0], f"betas={tuple(betas)}: {problem[1]}", {"betas": list(betas)}))
    eps = group.get("eps")
    if eps is not None and kind in ADAPTIVE and not EPS_RANGE[0] <= float(eps) <= EPS_RANGE[1]:
        effect = ("lets steps blow up where the gradient's running scale is near zero" if float(eps) < EPS_RANGE[0]
                  else "swamps the gradient's running scale, turning the optimizer into slow plain SGD")
        problems.append((Severity.WARNING, f"eps={eps:g}, which {effect}", {"eps": eps}))
    decay = float(group.get("weight_decay", 0.0) or 0.0)
    if decay > 0 and lr is not None and lr > 0:
        if kind in ADAPTIVE and kind not in DECOUPLED:
            pathological = decay >= 1.0
            shown = f"weight_decay={decay:g} added to the gradient before {kind}'s normalisation dominates it"
        else:
            pathological = lr * decay >= DECAY_PER_STEP
            shown = f"lr*weight_decay={lr * decay:.2g}: every step shrinks each weight by that share"
        if pathological:
            problems.append((Severity.WARNING, shown, {"weight_decay": decay, "lr": lr}))
    return problems


@verdict("O410")
def optimizer_settings(m: OptimizerSettings) -> Iterable[Finding]:
    """Each invalid or pathological setting of the optimizer, one finding each."""
    for severity, message, evidence in settings_problems(m.kind, m.groups):
        yield Finding("O410", severity, f"{m.kind}: {message}.", {"optimizer": m.kind, **evidence}, location=m.location)


# -- G601 ------------------------------------------------------------------------------
