"""Robust trend statistics for the generalisation verdicts (G60x): where a noisy curve stands at one step.

A training loss is a noisy series (minibatch noise, glitchy targets, a few outlier
batches), and it moves while it is measured. Comparing one validation loss against the
mean of all train losses since the previous evaluation mixes the early, higher losses into
"now"; comparing against the last minibatch reads one draw of the noise. The train loss
*at* an evaluation step is instead the value there of a Theil–Sen line fitted to the train
losses just before it, which ignores up to ~29% outlying points, and its confidence band
says how low that level plausibly is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# The line is fitted to the trailing tenth of the curve before the step (a short stretch,
# so a decaying curve is close to straight there), but never to fewer points than this.
LEVEL_SHARE = 0.1
LEVEL_MIN_POINTS = 10
# Two-sided confidence of the slope's band.
LEVEL_CONFIDENCE = 0.95
# Where a run started: the median of its first few minibatch losses (one would be one draw of the noise).
START_POINTS = 5


@dataclass(frozen=True)
class Level:
    """A curve's level at one step: the Theil–Sen estimate and the lowest/highest within the slope's band."""

    estimate: float
    low: float
    high: float
    points: int
    first_step: int


def level_at(steps: Sequence[int], values: Sequence[float], at: int) -> Level | None:
    """The level of the curve ``values`` (logged at ``steps``) at step ``at``, from the points logged before it.

    None when no finite point precedes ``at``. With fewer than three points the level is
    their median and the band their range.
    """
    from scipy import stats  # lazily: `import nndoctor` stays light

    x = np.asarray(steps, dtype=float)
    y = np.asarray(values, dtype=float)
    keep = (x <= at) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if not len(y):
        return None
    count = min(len(y), max(LEVEL_MIN_POINTS, round(LEVEL_SHARE * len(y))))
    x, y = x[-count:], y[-count:]
    if len(y) < 3 or np.ptp(x) == 0:
        return Level(float(np.median(y)), float(np.min(y)), float(np.max(y)), len(y), int(x[0]))
    slope, _, low_slope, high_slope = stats.theilslopes(y, x, alpha=LEVEL_CONFIDENCE)
    levels = [float(np.median(y - s * x) + s * at) for s in (low_slope, slope, high_slope)]
    return Level(levels[1], min(levels), max(levels), len(y), int(x[0]))


@dataclass(frozen=True)
class Doubling:
    """What the run's last doubling gained: the median loss over its second half against the quarter before it.

    ``p_value``: one-sided Mann–Whitney U test that the second half's losses are lower (ranks,
    so a few glitchy batches weigh no more than any other). ``drop``: the share of the earlier
    median that the later one is below it. ``share_of_start``: the doubling's gain as a share
    of the loss the run started from (the median of its first ``START_POINTS`` steps): a
    curve converging toward zero keeps halving its small loss, but gains almost nothing.
    """

    start: float
    earlier: float
    later: float
    drop: float
    share_of_start: float
    p_value: float
    points: int


def last_doubling(values: Sequence[float]) -> Doubling | None:
    """Compare steps [n/2, n) with [n/4, n/2): how much running twice as long last bought (None when too short or not positive).

    A loss that decays like a power of the step count gains about the same from every
    doubling, so the last one is the natural yardstick for "would it gain from training
    longer", where a straight line through the tail reads a curve still falling as flat.
    """
    from scipy import stats  # lazily: `import nndoctor` stays light

    y = np.asarray(values, dtype=float)
    y = y[np.isfinite(y)]
    n = len(y)
    earlier, later = y[n // 4 : n // 2], y[n // 2 :]
    if len(earlier) < 3:
        return None
    start = float(np.median(y[:START_POINTS]))
    a, b = float(np.median(earlier)), float(np.median(later))
    if a <= 0:
        return None
    p = float(stats.mannwhitneyu(later, earlier, alternative="less").pvalue)
    share = (a - b) / start if start > 0 else 0.0
    return Doubling(start, a, b, 1.0 - b / a, share, p, n)
