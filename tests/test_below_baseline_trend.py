"""G606 turns to advice only when the network, by its validation curve's last doublings, would reach the baseline in a longer run."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nndoctor import Severity
from nndoctor.verdicts.baselines import (
    LONGER_RUN,
    BaselineComparison,
    below_baseline,
    remaining_share,
)
from nndoctor.verdicts.trend import last_doubling


def power_law(steps: int, exponent: float, floor: float) -> list[float]:
    """A loss falling like a power of the step count toward ``floor``, with 5% multiplicative noise."""
    rng = np.random.default_rng(0)
    t = np.arange(1, steps + 1)
    return list((floor + t ** -exponent) * rng.lognormal(0, 0.05, steps))


MARGIN = 2 * math.sqrt(2) * 0.01  # NOISE_UNITS times the noise of a difference of two scores with standard error 0.01


def comparison(network: float, baseline: float, losses: list[float], metric: str = "balanced accuracy",
               val_losses: list[float] | None = None) -> BaselineComparison:
    return BaselineComparison(metric, network, [("logistic regression", baseline)], standard_error=0.01, samples=900,
                              last_doubling=last_doubling(losses),
                              val_doubling=last_doubling(val_losses) if val_losses else None)


def projected_error(error: float, losses: list[float]) -> float:
    """The error after log2(LONGER_RUN) more doublings that each keep the last one's share, computed from the medians."""
    n = len(losses)
    earlier, later = np.median(losses[n // 4: n // 2]), np.median(losses[n // 2:])
    return error * (later / earlier) ** math.log2(LONGER_RUN)


def test_a_slow_fall_far_from_the_baseline_is_a_fault():
    losses = power_law(400, 0.5, 0.1)  # falls ~10% per doubling, yet levels out well above zero
    m = comparison(0.60, 0.95, losses)
    assert m.still_learning()
    assert projected_error(0.40, losses) > 0.05 + MARGIN
    (finding,) = below_baseline(m)
    assert finding.severity == Severity.WARNING and finding.evidence["could_catch_up"] is False


def test_a_fast_fall_that_would_reach_the_baseline_is_advice():
    losses = power_law(400, 1.5, 0.0)
    m = comparison(0.80, 0.95, losses)
    assert projected_error(0.20, losses) <= 0.05 + MARGIN
    (finding,) = below_baseline(m)
    assert finding.severity == Severity.INFO and finding.evidence["could_catch_up"] is True


@pytest.mark.parametrize("network, severity", [(0.2, Severity.INFO), (40.0, Severity.WARNING)])
def test_mse_is_projected_the_same_way(network, severity):
    losses = power_law(400, 1.0, 0.0)
    m = comparison(network, 0.04, losses, metric="mse")
    assert (projected_error(network, losses) <= 0.04 + MARGIN) == (severity == Severity.INFO)
    (finding,) = below_baseline(m)
    assert finding.severity == severity


def test_a_flat_loss_below_the_baseline_is_a_fault():
    (finding,) = below_baseline(comparison(0.60, 0.95, [1.0] * 400))
    assert finding.severity == Severity.WARNING


def test_a_train_loss_falling_while_the_validation_loss_stalls_cannot_catch_up():
    train = power_law(400, 1.5, 0.0)  # memorising: the train loss keeps falling fast
    stalled = [1.0 + 0.5 / (1 + i) for i in range(17)]  # the 17 evaluations level out
    assert projected_error(0.20, stalled) > 0.05 + MARGIN
    (finding,) = below_baseline(comparison(0.80, 0.95, train, val_losses=stalled))
    assert finding.severity == Severity.WARNING
    falling = [2.0 * 0.7 ** i for i in range(17)]
    (finding,) = below_baseline(comparison(0.80, 0.95, train, val_losses=falling))
    assert finding.severity == Severity.INFO


def floored_power_law(floor: float, exponent: float, points: int = 65, seed: int = 1) -> list[float]:
    """An error curve ``floor + 0.6 (1 + t/25)^-exponent`` at ``points`` evaluations over 400 steps, with 1% additive noise."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 400, points)
    return list(floor + 0.6 * (1 + t / 25) ** -exponent + rng.normal(0, 0.01, points))


def aitken_floor(curve: list[float]) -> float:
    """Where a geometric series of gains, by the last two doublings' ratio, leaves the curve (by hand, from the medians)."""
    n = len(curve)
    a, b, c = (float(np.median(curve[lo:hi])) for lo, hi in ((n // 8, n // 4), (n // 4, n // 2), (n // 2, n)))
    r = (b - c) / (a - b)
    return c - (b - c) * r * (1 - r ** math.log2(LONGER_RUN)) / (1 - r)


def test_a_metric_levelling_out_above_the_baseline_is_a_fault_though_its_share_per_doubling_would_reach_it():
    curve = floored_power_law(floor=0.15, exponent=0.9)  # the error levels out at 0.15; the baseline's is 0.05
    n = len(curve)
    level = float(np.median(curve[n // 2:]))
    assert level * (level / float(np.median(curve[n // 4:n // 2]))) ** math.log2(LONGER_RUN) <= 0.05 + MARGIN  # old reading: advice
    assert aitken_floor(curve) > 0.05 + MARGIN
    assert remaining_share(curve, math.log2(LONGER_RUN)) == pytest.approx(aitken_floor(curve) / level)
    m = comparison(1 - level, 0.95, power_law(400, 1.5, 0.0))
    m.val_curve = curve
    (finding,) = below_baseline(m)
    assert finding.severity == Severity.WARNING and finding.evidence["could_catch_up"] is False


def test_a_metric_falling_toward_zero_is_advice():
    curve = floored_power_law(floor=0.0, exponent=1.5)
    n = len(curve)
    level = float(np.median(curve[n // 2:]))
    share = remaining_share(curve, math.log2(LONGER_RUN))
    assert share == pytest.approx((level / float(np.median(curve[n // 4:n // 2]))) ** math.log2(LONGER_RUN))
    assert 0.20 * share <= 0.05 + MARGIN
    m = comparison(0.80, 0.95, power_law(400, 1.5, 0.0))
    m.val_curve = curve
    (finding,) = below_baseline(m)
    assert finding.severity == Severity.INFO and finding.evidence["could_catch_up"] is True


def test_a_metric_that_gained_nothing_over_its_last_doubling_keeps_its_level():
    assert remaining_share([0.9, 0.6, 0.4, 0.35, 0.3, 0.3, 0.31, 0.3] + [0.3, 0.31] * 4, 6.6) == 1.0
    assert remaining_share([0.5, 0.4, 0.3], 6.6) is None  # too short for three doublings


def test_the_projection_reads_the_compared_metric_where_the_trial_recorded_it():
    from types import SimpleNamespace

    from nndoctor.look.checkup import validation_curve

    trial = SimpleNamespace(val_acc=[0.5, 0.75, 0.875], val_eval=[1.0, 0.6, 0.4])
    assert validation_curve(trial, "balanced accuracy") == [0.5, 0.25, 0.125]  # 1 - accuracy
    assert validation_curve(trial, "mse") == [1.0, 0.6, 0.4]
    assert validation_curve(SimpleNamespace(val_acc=[None, 0.5, 0.6], val_eval=[1.0, 0.6, 0.4]), "balanced accuracy") == [1.0, 0.6, 0.4]
    assert validation_curve(SimpleNamespace(val_acc=[], val_eval=[]), "mse") is None
