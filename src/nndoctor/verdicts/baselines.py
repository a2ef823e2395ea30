"""Verdict for G606: the trained network is worse than a dumb baseline on the same samples.

The look (``nndoctor.look``) scores the network and its baselines (the prior, a linear model
on the flat features, the network trained on zeroed inputs) on the same validation samples;
this verdict decides whether the gap is a difference or noise, and whether training longer
could plausibly close it.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..findings import Finding, Severity
from . import verdict
from .curves import (
    UNDERTRAINED_DROP,
    UNDERTRAINED_P,
)
from .trend import Doubling

# A gap counts when it exceeds two noise units (one-sided, ~98% for a normal error): the noise
# is the larger of the spread over re-drawn runs and the sampling error of a difference of two
# scores on the same n samples (sqrt(2) times the network's standard error).
NOISE_UNITS = 2.0
# "Train longer" means a run up to two orders of magnitude longer than the trial: log2(100) ≈ 6.6
# more doublings. A loss that decays like a power of the step count gains the same share per
# doubling, so the last doubling's share, compounded over them, is what training longer can buy.
LONGER_RUN = 100.0
# The projection reads the curve's last three doublings, [n/8, n/4), [n/4, n/2) and [n/2, n):
# the first needs at least this many points for its median to be more than one evaluation.
SEGMENT_MIN_POINTS = 2


def remaining_share(values: Sequence[float], doublings: float) -> float | None:
    """The share of the curve's current level (median of its last doubling) still left after ``doublings`` more.

    Two readings of the last three doublings, each fitting what was measured, and the less
    generous one wins: a power law toward zero (every doubling keeps the last one's share of
    the level) and, when the gains shrank from one doubling to the next, a power law toward a
    floor (every doubling gains the last gain times the ratio r of the last two gains, a
    geometric series; Aitken's extrapolation). A metric that levels out at a floor above the
    baseline never reaches it however long the run, while its share per doubling alone would
    carry it to zero. A last doubling that gained nothing leaves the whole level (1.0). None
    when the curve is too short or its level is not positive.
    """
    y = np.asarray(values, dtype=float)
    y = y[np.isfinite(y)]
    n = len(y)
    first, earlier, later = y[n // 8 : n // 4], y[n // 4 : n // 2], y[n // 2 :]
    if len(first) < SEGMENT_MIN_POINTS or len(earlier) < SEGMENT_MIN_POINTS:
        return None
    a, b, c = (float(np.median(part)) for part in (first, earlier, later))
    if b <= 0 or c <= 0:
        return None
    last_gain, gain_before = b - c, a - b
    if last_gain <= 0:
        return 1.0
    share = (c / b) ** doublings
    if gain_before > last_gain:
        r = last_gain / gain_before
        floor = c - last_gain * r * (1.0 - r ** doublings) / (1.0 - r)
        share = max(share, max(floor, 0.0) / c)
    return share


@dataclass
class BaselineComparison:
    """The network's validation metric and its baselines' on the same samples.

    ``metric`` is "balanced accuracy" or "accuracy" (higher is better) or "mse" (lower is better); ``standard_error``
    is the sampling error of the network's metric; ``spread`` the standard deviation of the
    metric over re-drawn runs (None when not measured).
    """

    metric: str
    network: float
    baselines: list[tuple[str, float]] = field(default_factory=list)
    standard_error: float = 0.0
    samples: int = 0
    spread: float | None = None
    # What the trial's last doubling of steps gained (verdicts.trend): was the network still learning?
    last_doubling: Doubling | None = None
    # The same over the trial's validation evaluations: the curve the comparison is about.
    val_doubling: Doubling | None = None
    # The trial's validation curve in the compared metric's error where it was recorded (1 - accuracy
    # for classifiers), else its validation loss: what the projection of a longer run reads.
    val_curve: list[float] | None = None
    # run: the script's own model on its last held-out evaluation (plain accuracy over ``run_rows`` rows), and each
    # baseline's plain accuracy: the trial copy stands in for the script's model, which is judged where it was measured
    run_accuracy: float | None = None
    run_rows: int = 0
    baseline_accuracy: dict[str, float] = field(default_factory=dict)
    # run, regression: the script's own model's mean squared error over its last held-out pass (the rows the
    # baselines are scored on), in the units the loss reads
    run_mse: float | None = None
    # regression: the variance of the validation targets the baselines are scored on (the units they are read in)
    target_variance: float | None = None

    def run_contradicts(self, baseline: str) -> bool:
        """The script's own last held-out accuracy is within ``NOISE_UNITS`` sampling errors of ``baseline``'s, or
        above it: the real run's model does not lose to it, whatever its shorter-trained stand-in scored. For
        regression, :meth:`judged_network` reads the script's own MSE directly."""
        theirs = self.baseline_accuracy.get(baseline)
        if self.run_accuracy is None or theirs is None or self.run_rows < 2:
            return False
        error = math.sqrt(max(self.run_accuracy * (1.0 - self.run_accuracy), 1e-12) / self.run_rows)
        return theirs - self.run_accuracy <= NOISE_UNITS * math.sqrt(2.0) * error

    def judged_network(self) -> tuple[float, bool]:
        """The network's metric to judge, and whether it is the script's own model's: its held-out MSE where the run
        measured it (regression), else the trial copy's metric."""
        if self.metric == "mse" and self.run_mse is not None and math.isfinite(self.run_mse):
            return self.run_mse, True
        return self.network, False

    def still_learning(self) -> bool:
        """The trial's loss fell significantly over its last doubling, by a tenth or more of its level then.

        Relative to its own level, not to the start (as G605 asks): the baseline's loss is small
        too, so halving a small loss is what closes the gap.
        """
        d = self.last_doubling
        return d is not None and d.p_value <= UNDERTRAINED_P and d.drop >= UNDERTRAINED_DROP

    def could_catch_up(self, baseline: float) -> bool:
        """Still learning, and a run ``LONGER_RUN`` times the trial would, by the curve's own last doublings, come within the noise of ``baseline``.

        The error (MSE, or 1 - balanced accuracy) is projected to keep the share of its level
        that ``remaining_share`` leaves on the validation curve (the compared metric's, where the
        trial recorded it: a loss can keep falling on confident samples while the accuracy has
        levelled out); without enough evaluations, by the last doubling's share of the validation
        loss (the train loss when no validation curve was recorded). A network whose train loss
        still falls while its validation curve stalls, or whose gains shrink toward a floor above
        the baseline's error, will not get there by training longer.
        """
        d = self.val_doubling or self.last_doubling
        if not self.still_learning() or d is None:
            return False
        higher = self.metric in ("accuracy", "balanced accuracy")
        error, target = (1.0 - self.network, 1.0 - baseline) if higher else (self.network, baseline)
        doublings = math.log2(LONGER_RUN)
        share = remaining_share(self.val_curve, doublings) if self.val_curve else None
        if share is None:
            share = (1.0 - min(max(d.drop, 0.0), 1.0)) ** doublings
        return error * share <= target + NOISE_UNITS * self.noise()

    def noise(self) -> float:
        return max(math.sqrt(2.0) * self.standard_error, self.spread or 0.0)


@verdict("G606")
def below_baseline(m: BaselineComparison) -> list[Finding]:
    """G606 when the network is worse than a baseline by more than ``NOISE_UNITS`` noise units."""
    network, own = m.judged_network()
    if not math.isfinite(network) or not m.baselines:
        return []
    higher = m.metric in ("accuracy", "balanced accuracy")
    margin = NOISE_UNITS * m.noise()
    gaps = [(name, value, (value - network) if higher else (network - value)) for name, value in m.baselines
            if value is not None and math.isfinite(value)]
    beaten_by = [(name, value, gap) for name, value, gap in gaps if gap > margin]
    if not beaten_by:
        return []
    name, value, gap = max(beaten_by, key=lambda row: row[2])
    if m.run_contradicts(name):
        return []
    what = f"validation {m.metric}" if higher else "validation MSE"
    # A network whose loss was still falling fast enough to reach the baseline in a longer run has not
    # shown it cannot beat it, only that it had not yet: advice to train longer (info), not a fault. The trial's
    # curve says that of the trial's copy only: the script's own model finished its run (G605 reads its curve).
    catching_up = not own and m.could_catch_up(value)
    severity = Severity.INFO if catching_up else Severity.WARNING
    unfinished = (" The trial's loss was still falling when it ended: train longer before concluding."
                  if catching_up else "")
    return [Finding(
        "G606", severity,
        f"The network's {what} is {network:.4g}"
        + (" (the script's own model on its last held-out pass)" if own else "")
        + f", but the {name} baseline reaches {value:.4g} on the same "
        f"{m.samples} samples: worse by {gap:.3g}, more than {NOISE_UNITS:g}x the noise ({m.noise():.3g}).{unfinished}",
        {"metric": m.metric, "network": network, "network_is_the_runs": own, "trial_network": m.network,
         "baselines": dict(m.baselines), "best_baseline": name,
         "gap": gap, "noise": m.noise(), "standard_error": m.standard_error, "spread": m.spread, "samples": m.samples,
         "still_learning": m.still_learning(), "could_catch_up": catching_up},
    )]
