"""Verdicts on how the loop sizes its steps (O408, O411, O412): gradient clipping, the LR schedule, update-to-weight ratios.

Watch-only codes: their measurements are what the recorder saw the user's loop do (its
clip calls, the LR each optimizer stepped with, each weight layer's update size).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..findings import Finding, Severity
from . import verdict
from .curves import MIN_STEPS_FOR_CURVES, REDRAW_UPDATE

# -- thresholds ---------------------------------------------------------------------------
# O408: a clip that cuts on 90% of the steps is the step size, not an outlier guard.
CLIPPED_SHARE = 0.9
# O408: clip_grad_norm_ calls before the share is judged.
MIN_CLIP_CALLS = 20
MIN_VALUE_CLIP_SAMPLES = 5  # clip_grad_value_ is measured on sampled steps only
# O408: clip_grad_value_ bites a step when it cuts at least half the gradient entries (the typical entry, not the outliers).
BITING_ENTRY_SHARE = 0.5
LR_NEAR_ZERO = 1e-3  # "~0": a thousandth of the peak; step decays to 1% of the peak are ordinary
LR_EARLY = 0.75  # near zero for the last quarter or more of the run
LR_RAISED = 2.0  # an LR that doubles after falling has been restarted: a per-epoch schedule stepped per batch
# O411: fell below half of its peak: decayed (a warm-up from zero has fallen from nothing).
LR_FALLEN = 0.5
LR_SMALL = 1e-2  # two decades below the peak: where an ordinary step decay ends, in the last quarter of the run
# O411: schedules that raise the LR again by design: cycles and restarts, and SWALR, which after the main schedule
# anneals the LR to the constant one stochastic weight averaging samples the weights at (often far above a decayed LR).
RAISED_BY_DESIGN = ("CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR", "SWALR")
# O412: sampled update steps (per layer too) before a median update ratio is read.
MIN_UPDATE_SAMPLES = 3
UPDATE_TOO_SMALL = 1e-5  # two orders of magnitude below the ~1e-3 rule of thumb
UPDATE_TOO_LARGE = REDRAW_UPDATE  # a third of the weight's norm per step: the weights are re-drawn, not refined
LAYER_GAP = 100.0  # two orders of magnitude between the off layers and the rest


# -- O408: aggressive gradient clipping --------------------------------------------------------
@dataclass(frozen=True)
class Clipping:
    """What the loop's gradient clipping did.

    ``norm_calls``: per clip_grad_norm_ call, (pre-clip norm, max_norm); ``value_clips``: per
    sampled step under clip_grad_value_, (step, share of gradient entries cut, clip_value).
    ``clip_shrinks_steps``: whether scaling the gradient changes the optimizers' steps at all
    (a scale-invariant optimizer such as Adam cancels a global norm clip).
    """

    norm_calls: Sequence[tuple[float, float]] = ()
    value_clips: Sequence[tuple[int, float, float]] = ()
    clip_shrinks_steps: bool = True


def _value_clipping(m: Clipping) -> Iterable[Finding]:
    """clip_grad_value_ bites when it cuts the typical gradient entry, not only outliers: most entries become ±clip_value."""
    samples = m.value_clips
    if len(samples) < MIN_VALUE_CLIP_SAMPLES:
        return
    biting = sum(share >= BITING_ENTRY_SHARE for _, share, _ in samples)
    if biting / len(samples) >= CLIPPED_SHARE:
        median = float(np.median([share for _, share, _ in samples]))
        clip = samples[-1][2]
        yield Finding(
            "O408", Severity.WARNING,
            f"clip_grad_value_(clip_value={clip:g}) cut more than half of all gradient entries on {biting} of {len(samples)} sampled "
            f"steps (median {median:.0%} of entries): the update is mostly ±{clip:g} per entry, whatever the real gradient says.",
            {"biting_share": biting / len(samples), "samples": len(samples), "median_clipped_entries": median, "clip_value": clip},
        )


@verdict("O408")
def aggressive_clipping(m: Clipping) -> Iterable[Finding]:
    """Clipping that cuts (nearly) every step: the clip threshold, not the gradient, sets the step."""
    yield from _value_clipping(m)
    calls = [(n, c) for n, c in m.norm_calls if math.isfinite(n)]
    if len(calls) < MIN_CLIP_CALLS or not m.clip_shrinks_steps:
        return
    clipped = sum(n > c for n, c in calls)
    share = clipped / len(calls)
    if share >= CLIPPED_SHARE:
        median = float(np.median([n for n, _ in calls]))
        max_norm = calls[-1][1]
        yield Finding(
            "O408", Severity.WARNING,
            f"clip_grad_norm_ cut the gradient on {clipped} of {len(calls)} steps ({share:.0%}); the median pre-clip norm "
            f"{median:.3g} is {median / max_norm if max_norm else math.inf:.1f}x max_norm={max_norm:g}.",
            {"clipped_share": share, "calls": len(calls), "median_pre_clip_norm": median, "max_norm": max_norm},
        )


# -- O411: LR schedule --------------------------------------------------------------------------
@dataclass(frozen=True)
class LrSchedule:
    """One optimizer's LR (first parameter group) at each step of the run, the schedulers seen, and where (``location``)."""

    lrs: Sequence[float]
    schedulers: Sequence[str] = field(default_factory=list)
    location: str | None = None


def _stays_below(lrs: np.ndarray, level: float) -> int | None:
    """The step from which the LR stays at or below ``level`` to the end of the run; None when it ends above it.

    Cosine and linear decays get two decades below their peak only in their last few
    percent, step decays (x0.1 at half and three quarters of the run) in their last quarter.
    """
    below = lrs <= level * (1 + 1e-9)  # 0.05 * 0.1 * 0.1 is 0.0005000000000000001 in floats: two decades all the same
    if not below[-1]:
        return None
    return len(lrs) - int(np.argmin(below[::-1])) if not below.all() else 0


@verdict("O411")
def lr_schedule(m: LrSchedule) -> Iterable[Finding]:
    """An LR at ~0 for the last quarter of the run, two decades below its peak for most of it, or raised again mid-run."""
    lrs = np.asarray([v for v in m.lrs if math.isfinite(v)], dtype=float)
    if len(lrs) < MIN_STEPS_FOR_CURVES or lrs.max() <= 0:
        return
    peak = float(lrs.max())
    near_zero = lrs <= LR_NEAR_ZERO * peak
    if near_zero[-1]:
        onset = len(lrs) - int(np.argmin(near_zero[::-1])) if not near_zero.all() else 0
        if onset < LR_EARLY * len(lrs):
            yield Finding(
                "O411", Severity.WARNING,
                f"The learning rate fell to {lrs[onset]:.2g} (under 1/1000 of its peak {peak:.2g}) at step {onset} of {len(lrs)} "
                f"and stayed there: the last {1 - onset / len(lrs):.0%} of the run trains at ~0 LR.",
                {"peak": peak, "onset_step": onset, "steps": len(lrs), "final_lr": float(lrs[-1]), "schedulers": m.schedulers},
                location=m.location,
            )
            return
    onset = _stays_below(lrs, LR_SMALL * peak)
    if onset is not None and onset < (1 - LR_EARLY) * len(lrs):
        yield Finding(
            "O411", Severity.WARNING,
            f"The learning rate fell to {lrs[onset]:.2g} (1/{peak / max(float(lrs[onset]), 1e-300):.0f} of its peak {peak:.2g}) at "
            f"step {onset} of {len(lrs)} and stayed there: the last {1 - onset / len(lrs):.0%} of the run trains two decades "
            "below its LR, where an ordinary decay spends only its last quarter (a per-epoch schedule stepped per batch does this).",
            {"peak": peak, "onset_step": onset, "steps": len(lrs), "final_lr": float(lrs[-1]), "schedulers": m.schedulers},
            location=m.location,
        )
        return
    if any(s in RAISED_BY_DESIGN for s in m.schedulers):
        return
    running_peak = np.maximum.accumulate(lrs)
    # a warm-up from 0 has not fallen from anything: only a drop below half of a positive peak counts
    fallen = np.flatnonzero((running_peak > 0) & (lrs <= LR_FALLEN * running_peak))
    if len(fallen):
        after = lrs[fallen[0]:]
        running_min = np.minimum.accumulate(after)
        raised = np.flatnonzero(after >= LR_RAISED * np.maximum(running_min, 1e-300))
        if len(raised):
            step = int(fallen[0] + raised[0])
            yield Finding(
                "O411", Severity.WARNING,
                f"The learning rate went back up mid-run: it had fallen to {running_min[raised[0]]:.2g} and rose to {lrs[step]:.2g} "
                f"at step {step} (peak {peak:.2g}); a scheduler stepped per batch instead of per epoch does this.",
                {"peak": peak, "raised_at": step, "schedulers": m.schedulers},
                location=m.location,
            )


# -- O412: update-to-weight ratio ---------------------------------------------------------------
@dataclass(frozen=True)
class UpdateRatios:
    """Per weight layer, the median update size per step over the weight's norm.

    ``per_layer``: against the current norm, for the layers with at least
    ``MIN_UPDATE_SAMPLES`` sampled updates, in the model's order; ``per_layer_vs_start``:
    against the scale the layer started at (None-free; layers without one are left out);
    ``started_at_zero``: layers that were all zeros when first measured. ``sampled_steps``:
    how many steps were sampled. ``diverged``: the loss went non-finite. ``line_search``: the
    steps re-evaluate a closure (LBFGS), sizing themselves by line search, not by an LR.
    """

    per_layer: Mapping[str, float]
    per_layer_vs_start: Mapping[str, float]
    sampled_steps: int
    started_at_zero: frozenset[str] = frozenset()
    diverged: bool = False
    line_search: bool = False


def _layers_apart(ratios: Mapping[str, float], word: str) -> tuple[dict[str, float], dict[str, float]] | None:
    """(off layers, the rest) when the layers' ratios fall into two groups two orders of magnitude apart, the rest healthy.

    One global learning rate moves all layers together (their ratios spread by the layers'
    sizes, about a decade); a gap of two decades splits off the layers of a parameter group
    with its own LR. ``word`` says which side is off: the "small" or the "large" one.
    """
    ordered = sorted((r, n) for n, r in ratios.items() if r > 0)
    if len(ordered) < 2:
        return None
    gaps = [ordered[i + 1][0] / ordered[i][0] for i in range(len(ordered) - 1)]
    cut = int(np.argmax(gaps)) + 1
    if gaps[cut - 1] < LAYER_GAP:
        return None
    low, high = {n: r for r, n in ordered[:cut]}, {n: r for r, n in ordered[cut:]}
    off, rest = (low, high) if word == "small" else (high, low)
    if not all(UPDATE_TOO_SMALL <= r <= UPDATE_TOO_LARGE for r in rest.values()):
        return None
    return off, rest


@verdict("O412")
def update_ratio(m: UpdateRatios) -> Iterable[Finding]:
    """Weight layers whose steps are far below (~1e-5) or far above (a third of the weight) the ~1e-3 rule of thumb.

    Too small is judged against the current norm. Too large is judged against the norm the
    layer started with: steps that re-draw a layer also inflate it, and against the inflated
    norm the same steps look modest (a layer at lr 2 that grew 200x moves 1% of its new
    norm per step, 300% of its old one). A weight that started at zero (a learned positional
    table, a zero-initialised gate) has no scale of its own yet: its steps are large against
    the norm they are building, which says nothing about the LR, so it is left out.
    """
    if m.sampled_steps < MIN_UPDATE_SAMPLES or m.diverged or m.line_search:
        return  # a line search sizes its own steps: the ~1e-3 rule is for LR-driven steps
    medians = {n: r for n, r in m.per_layer.items() if n not in m.started_at_zero}
    against_start = {n: r for n in medians if (r := m.per_layer_vs_start.get(n)) is not None}
    small = {n: r for n, r in medians.items() if 0 < r < UPDATE_TOO_SMALL}
    large = {n: r for n, r in against_start.items() if r > UPDATE_TOO_LARGE}
    for bad, word in ((large, "large"), (small, "small")):
        if bad:
            scale = against_start if word == "large" else medians
            split = _layers_apart(scale, word)
            some = split is not None and set(bad) <= set(split[0])
            if some:
                bad = split[0]
            worst = max(bad, key=lambda n: abs(math.log10(bad[n]) + 3))
            others = list(split[1].values()) if some else []
            yield Finding(
                "O412", Severity.WARNING,
                f"Update-to-weight ratios are too {word} in {len(bad)} of {len(medians)} weight layers: {worst} moves by "
                f"{bad[worst]:.1e} of its {'starting ' if word == 'large' else ''}norm per step (median over "
                f"{m.sampled_steps} sampled steps; healthy is ~1e-3)"
                + (f", while the other layers move by {min(others):.1e} to {max(others):.1e}: those layers' learning rate is off."
                   if some else "."),
                {"per_layer": medians, "per_layer_vs_start": against_start, "too_" + word: bad, "some_layers": some},
                location=worst,
            )
            return
