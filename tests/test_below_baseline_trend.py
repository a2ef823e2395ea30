"""G606 turns to advice only when the network, at its last doubling's pace, would reach the baseline in a longer run."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nndoctor import Severity
from nndoctor.verdicts.baselines import LONGER_RUN, BaselineComparison, below_baseline
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
