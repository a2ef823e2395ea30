"""Round 17's measurements: batches of a heavy-tailed target at fixed weights (O407, G602)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import nndoctor
from nndoctor.verdicts.curves import DIVERGED_RISE, oscillation_evidence
from nndoctor.watch.instrument import instrumented
from nndoctor.watch.live_rules import constant_batch_losses


def _watched(loop) -> nndoctor.Doctor:
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            loop()
    finally:
        doctor.stop()
    return doctor


def _outlier_batches(level: float, steps: int, share: float, seed: int) -> list[float]:
    """Losses of batches that hold an outlier with probability ``share`` (2.5-5x the level), at fixed weights."""
    rng = np.random.default_rng(seed)
    jumps = np.where(rng.random(steps) < share, rng.uniform(2.5, 5.0, steps), 1.0)
    return list(level * rng.lognormal(0.0, 0.1, steps) * jumps)


def test_spikes_no_more_frequent_than_batch_content_gives_are_the_batches():
    stuck = _outlier_batches(0.33, 1400, 0.075, seed=0)
    assert oscillation_evidence(stuck)["shape"] == "spikes"  # nothing known of the batches: the steps' doing
    assert oscillation_evidence(stuck, content_share=0.075) is None  # the rate content alone gives at fixed weights
    assert oscillation_evidence(stuck, content_share=0.01)["shape"] == "spikes"  # 7.5% of steps, far beyond 1%


def _claims(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Claim costs with a weak signal and a Pareto tail, robust-scaled (median / IQR) as in practice."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 6))
    cost = np.exp(0.3 * x[:, 0] - 0.2 * x[:, 1] + 0.4 * rng.standard_normal(n))
    cost = np.where(rng.random(n) < 0.04, cost * (rng.pareto(1.5, n) + 1) * 20, cost)
    q1, median, q3 = np.percentile(cost, [25, 50, 75])
    y = (cost - median) / (q3 - q1)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


def test_constant_batch_losses_match_resampled_huber_terms_of_the_median():
    x, y = _claims(1024, seed=1)
    model = nn.Linear(6, 1)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)

    def loop() -> None:
        for i in range(0, 1024, 64):
            opt.zero_grad()
            F.huber_loss(model(x[i:i + 64]).squeeze(1), y[i:i + 64]).backward()
            opt.step()

    doctor = _watched(loop)
    draws = constant_batch_losses(doctor.telemetry)
    sampled = torch.tensor([row[0] for _, rows in doctor.telemetry.target_samples for row in rows], dtype=torch.float64)
    best = min((F.huber_loss(torch.full_like(sampled, float(c)), sampled, reduction="none")
                for c in torch.linspace(-2, 2, 401)), key=lambda t: float(t.mean()))
    # an independent resampling: batches of 64 sampled rows, each scored at the best constant on a grid
    by_hand = best.numpy()[np.random.default_rng(5).integers(0, len(best), (4000, 64))].mean(1)
    assert draws is not None and len(draws) >= 1000
    assert np.median(draws) == pytest.approx(np.median(by_hand), rel=0.05)
    assert np.mean(draws > DIVERGED_RISE * np.median(by_hand)) == pytest.approx(
        np.mean(by_hand > DIVERGED_RISE * np.median(by_hand)), abs=0.02)


def _severities(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Claim costs over their median: a log-normal body (sigma 0.45) and 3% Pareto large losses."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4000, 5))
    cost = np.exp(0.4 * x[:, 0] - 0.2 * x[:, 1] + 0.1 * x[:, 2] + rng.normal(0, 0.45, 4000))
    large = rng.random(4000) < 0.03
    cost[large] *= 1.0 + rng.pareto(1.6, large.sum()) * 4.0
    return torch.tensor(x, dtype=torch.float32), torch.tensor(cost / np.median(cost), dtype=torch.float32)


def test_a_heavy_tailed_huber_regression_that_learns_is_neither_oscillating_nor_underfitting():
    """Round 17 d/claim_severity_huber and e/claim_severity: Huber on claim costs, the output bias at the median;
    batches holding a large loss jump to several times the first one from the start on (seed 1 drew such a run)."""
    x, y = _severities(1)
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(5, 64), nn.SiLU(), nn.Linear(64, 1))
    with torch.no_grad():
        model[-1].bias.fill_(1.0)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)

    def loop() -> None:
        for _ in range(10):
            perm = torch.randperm(4000)
            for i in range(0, 4000, 128):
                idx = perm[i:i + 128]
                opt.zero_grad()
                F.huber_loss(model(x[idx]).squeeze(1), y[idx]).backward()
                opt.step()

    doctor = _watched(loop)
    loud = {f.code for f in doctor.findings() if f.severity.at_least(nndoctor.Severity.WARNING)}
    assert not loud & {"O407", "G602"}, [f.message for f in doctor.findings()]


def test_underfitting_reads_the_typical_batch_where_a_heavy_tail_holds_the_mean_up():
    from nndoctor.verdicts.generalisation import FitEvidence, underfitting

    tail = FitEvidence(reference=0.62, final_loss=0.61, steps=950, typical_final=0.35, typical_reference=0.45)
    assert underfitting(tail) is None
    stuck = FitEvidence(reference=0.62, final_loss=0.61, steps=950, typical_final=0.44, typical_reference=0.45)
    assert underfitting(stuck).code == "G602"
    assert underfitting(FitEvidence(reference=0.62, final_loss=0.61, steps=950)).code == "G602"  # no sample: the mean
