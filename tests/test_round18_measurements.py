"""A per-step loss's level is its typical batch as well as its mean (O401's rise, O407's "no progress")."""
from __future__ import annotations

import numpy as np

from nndoctor.verdicts.curves import oscillation_evidence, windows
from nndoctor.verdicts.optimisation import LearningRateEvidence, LossCurve, learning_rate


def _per_step(losses: np.ndarray) -> LossCurve:
    return LossCurve(values=tuple(windows(losses, 10)), source="per-step", steps=len(losses), span="over the run",
                     per_step=tuple(losses), initial=float(losses[0]))


def _codes(losses: np.ndarray) -> set[str]:
    return {f.code for f in learning_rate(LearningRateEvidence(lr=1e-3, optimizer="Adam", curve=_per_step(losses)))}


def _tailed(typical: np.ndarray, seed: int, share: float = 0.03, size: float = 30.0) -> np.ndarray:
    """Batches at ``typical`` levels, a ``share`` of them holding an outlier that scores ``size`` times as much."""
    rng = np.random.default_rng(seed)
    return typical * rng.lognormal(0.0, 0.1, len(typical)) * np.where(rng.random(len(typical)) < share, size, 1.0)


def test_outlier_batches_at_the_end_are_not_a_loss_that_training_made_worse():
    falling = np.linspace(0.3, 0.25, 320)
    tailed = _tailed(falling, seed=2)
    tailed[:5] = 0.3  # an ordinary start
    tailed[-20:-17] = 6.0  # three outlier batches in the last tenth: its mean is 2.3x the start, its typical batch 0.25
    assert tailed[-32:].mean() >= 1.5 * tailed[0] > np.median(tailed[-32:])
    assert "O401" not in _codes(tailed)
    worse = _tailed(np.linspace(0.3, 0.9, 320), seed=2)  # every batch rose threefold: the weights made it worse
    worse[0] = 0.3
    assert "O401" in _codes(worse)


def test_a_window_mean_that_doubles_on_one_outlier_is_not_divergence():
    steady = np.full(400, 0.3) * np.random.default_rng(4).lognormal(0.0, 0.05, 400)
    steady[-10] = 30.0  # one batch in the last window holds an outlier: its mean is 3.3x the first window's
    assert windows(steady, 10)[-1] >= 2 * windows(steady, 10)[0]
    assert "O401" not in _codes(steady)
    diverged = steady * np.linspace(1.0, 3.0, 400)  # every batch of the last window doubled
    diverged[-10] = 0.9
    assert "O401" in _codes(diverged)


def test_bouncing_is_judged_against_the_constant_predictors_typical_batch_when_the_start_was_light():
    rng = np.random.default_rng(3)
    noisy = 0.30 * rng.lognormal(0.0, 0.9, 400)  # batches jumping by their content, typical 0.30
    noisy[:5] = 0.21  # the run happened to start on light batches
    bounce = oscillation_evidence(noisy)
    assert bounce is not None and bounce["shape"] == "bouncing" and bounce["start"] == 0.21
    # such content puts 45% of batches over twice the start at fixed weights (the spikes' measurement)
    assert oscillation_evidence(noisy, content_share=0.45, content_typical=0.38) is None  # under "no learning"'s
    stuck = oscillation_evidence(noisy, content_share=0.45, content_typical=0.33)  # level within a fifth of "no learning": no progress
    assert stuck is not None and stuck["start_is_constant"]
