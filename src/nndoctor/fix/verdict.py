"""Verdict: does a remedy verifiably beat the unchanged setup? A pure function of the scores.

Scores are the validation metric per seed (higher is better; NaN for a run that diverged),
paired by seed: baseline and candidate saw the same seed. A remedy is *verified* when it
beats the baseline on every seed, or when its mean gain exceeds the seed spread (the larger
of the two standard deviations). In both cases the mean gain must also reach
``MIN_GAIN``: a difference smaller than that is a tie, not a cure (one validation sample in a
hundred for accuracy), so a change that does nothing cannot be "verified" by noise alone.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

MIN_GAIN = 0.01


@dataclass
class Spread:
    """Mean ± std of a score across seeds; ``diverged`` counts runs that turned non-finite."""

    mean: float | None
    std: float | None
    values: list[float | None]
    diverged: int

    def to_dict(self) -> dict:
        return {"mean": self.mean, "std": self.std, "per_seed": self.values, "diverged": self.diverged}

    def text(self, digits: int = 3) -> str:
        if self.mean is None:
            return "diverged"
        tail = f" ({self.diverged} diverged)" if self.diverged else ""
        return f"{self.mean:.{digits}f} ± {self.std:.{digits}f}{tail}"


def spread(values: Sequence[float | None]) -> Spread:
    finite = [float(v) for v in values if v is not None and math.isfinite(v)]
    clean = [float(v) if v is not None and math.isfinite(v) else None for v in values]
    if not finite:
        return Spread(None, None, clean, len(values))
    return Spread(float(np.mean(finite)), float(np.std(finite)), clean, len(values) - len(finite))


@dataclass
class Comparison:
    verified: bool
    gain: float | None
    wins: int
    seeds: int
    reason: str

    def to_dict(self) -> dict:
        return {"verified": self.verified, "gain": self.gain, "wins": self.wins, "seeds": self.seeds, "reason": self.reason}


def _worse_than_anything(value: float | None) -> float:
    return float(value) if value is not None and math.isfinite(value) else -math.inf


def compare(baseline: Sequence[float | None], candidate: Sequence[float | None], min_gain: float = MIN_GAIN) -> Comparison:
    """Paired comparison of per-seed metrics (higher is better); diverged runs count as worst."""
    if len(baseline) != len(candidate) or not baseline:
        raise ValueError("baseline and candidate need the same, non-zero number of seeds")
    base = [_worse_than_anything(v) for v in baseline]
    cand = [_worse_than_anything(v) for v in candidate]
    wins = sum(c > b for b, c in zip(base, cand))
    seeds = len(base)
    if all(math.isinf(c) for c in cand):
        return Comparison(False, None, wins, seeds, "the remedy diverged on every seed")
    b, c = spread(baseline), spread(candidate)
    if b.mean is None:
        return Comparison(c.diverged == 0 and len(cand) > 0, None, wins, seeds,
                          "the baseline diverged on every seed; the remedy trained " +
                          ("on every seed" if c.diverged == 0 else f"on {seeds - c.diverged} of {seeds} seeds"))
    gain = c.mean - b.mean
    if c.diverged > b.diverged:
        return Comparison(False, gain, wins, seeds, f"the remedy diverged on {c.diverged} seed(s), the baseline on {b.diverged}")
    noise = max(b.std or 0.0, c.std or 0.0)
    if gain < min_gain:
        return Comparison(False, gain, wins, seeds, f"mean gain {gain:+.3f} is below the {min_gain:.2f} that counts as a change")
    if wins == seeds:
        return Comparison(True, gain, wins, seeds, f"better on all {seeds} seeds (mean gain {gain:+.3f})")
    if gain > noise:
        return Comparison(True, gain, wins, seeds, f"mean gain {gain:+.3f} exceeds the seed spread {noise:.3f} (better on {wins}/{seeds} seeds)")
    return Comparison(False, gain, wins, seeds, f"better on only {wins}/{seeds} seeds and the gain {gain:+.3f} is within the seed spread {noise:.3f}")


def _log_scale(losses: Sequence[float | None]) -> list[float | None]:
    """-log(loss) (higher is better; a gain of 0.01 is a 1% lower loss); None for a diverged run."""
    return [-math.log(v) if v is not None and math.isfinite(v) and v > 0 else None for v in losses]


def compare_on_loss(baseline_loss: Sequence[float | None], candidate_loss: Sequence[float | None],
                    baseline_metric: Sequence[float | None], candidate_metric: Sequence[float | None],
                    min_gain: float = MIN_GAIN) -> Comparison:
    """Paired comparison for a remedy whose point is the validation loss (overfitting).

    Verified when the loss is verifiably lower (:func:`compare` on -log loss: ``min_gain`` is a
    1% lower loss) and the metric is not verifiably worse (the baseline does not beat the
    remedy by :func:`compare`'s own test). ``gain`` stays the metric's, as for every remedy.
    """
    on_loss = compare(_log_scale(baseline_loss), _log_scale(candidate_loss), min_gain)
    b, c = spread(baseline_metric), spread(candidate_metric)
    gain = c.mean - b.mean if b.mean is not None and c.mean is not None else None
    loss_text = on_loss.reason.replace("mean gain", "mean log-loss reduction")
    if not on_loss.verified:
        return Comparison(False, gain, on_loss.wins, on_loss.seeds, f"validation loss: {loss_text}")
    worse = compare(candidate_metric, baseline_metric, min_gain)
    if worse.verified:
        return Comparison(False, gain, on_loss.wins, on_loss.seeds,
                          f"the validation loss fell ({loss_text}) but the metric got worse (the original setup "
                          f"against the remedy: {worse.reason})")
    return Comparison(True, gain, on_loss.wins, on_loss.seeds, f"validation loss: {loss_text}; the metric did not get worse")


def compare_cleared(still_fires: str | None, baseline_metric: Sequence[float | None], candidate_metric: Sequence[float | None],
                    metric_comparable: bool = True, min_gain: float = MIN_GAIN) -> Comparison:
    """Paired comparison for the remedy of a bug: the bug's own check, re-run on the remedied setup, decides.

    ``still_fires`` is None when the check no longer fires, else what it still reports. Verified
    when the check is clear, no more runs diverged than the baseline's, and (when the metric
    measures the same thing in both arms) the metric is not verifiably worse (the baseline does
    not beat the remedy by :func:`compare`'s own test). ``gain`` is the metric's, or None when
    the remedy changed what the metric measures (an honest validation split scores lower, recoded labels score
    other targets).
    """
    c = spread(candidate_metric)
    b = spread(baseline_metric)
    gain = c.mean - b.mean if metric_comparable and b.mean is not None and c.mean is not None else None
    seeds = len(candidate_metric)
    wins = sum(_worse_than_anything(x) > _worse_than_anything(y) for x, y in zip(candidate_metric, baseline_metric)) \
        if metric_comparable else 0
    if still_fires is not None:
        return Comparison(False, gain, wins, seeds, f"the check is not clear on the remedied setup: {still_fires}")
    if c.mean is None or c.diverged > b.diverged:
        return Comparison(False, gain, wins, seeds, f"the check is clear, but the remedy diverged on {c.diverged} of {seeds} seeds")
    if not metric_comparable:
        return Comparison(True, gain, wins, seeds,
                          f"the check is clear; the validation metric now scores other rows or labels ({c.text()}) "
                          "and is not compared")
    worse = compare(candidate_metric, baseline_metric, min_gain)
    if worse.verified:
        return Comparison(False, gain, wins, seeds, "the check is clear but the metric got worse (the original "
                          f"setup against the remedy: {worse.reason})")
    change = f"mean change {gain:+.3f}" if gain is not None else f"the baseline diverged on every seed; the remedy scored {c.text()}"
    return Comparison(True, gain, wins, seeds, f"the check is clear and the metric did not get worse ({change})")
