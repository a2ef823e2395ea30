"""G605 read against cumulative LR, and the best constant's loss for L1 / Huber / smooth L1 in run mode.

A schedule that decays the LR to zero flattens the loss per step while it was still falling
per unit of LR (undertrained); a run that converged early stays silent either way. Robust
regression losses get a "no learning" reference from the sampled targets, checked against a
brute-force minimum over a fine grid of constants.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from nndoctor.verdicts.curves import still_falling
from nndoctor.verdicts.generalisation import (
    TailOfRun,
    undertrained,
)
from nndoctor.watch.live_rules import robust_reference_loss
from nndoctor.watch.loss_inspect import best_constant_loss, inspect_loss_call
from nndoctor.watch.telemetry import LossCall, Telemetry


def cosine(n: int, peak: float = 1e-3) -> np.ndarray:
    return peak * 0.5 * (1 + np.cos(np.pi * np.arange(n) / n))


def test_a_cosine_run_still_falling_per_unit_lr_is_undertrained():
    rng = np.random.default_rng(0)
    lrs = cosine(100)
    time = np.cumsum(lrs)
    losses = 0.6 - 0.2 * time / time[-1] + 0.03 * rng.standard_normal(100)
    assert "projected_drop" not in (still_falling(losses) or {})  # per step the tail is flat: the LR, not the loss, ran out
    evidence = still_falling(losses, lrs)
    assert evidence is not None and evidence["final_lr_share"] < 0.01
    tail = time >= time[-1] - 0.4 * (time[-1] - time[0])  # independent: a line through the last 40% of the LR budget
    slope = np.polyfit(time[tail], losses[tail], 1)[0]
    assert evidence["projected_drop"] == pytest.approx(-slope * (time[-1] - time[0]) / losses[tail].mean())
    found = list(undertrained(TailOfRun(tuple(losses), lrs=tuple(lrs))))
    assert found and "cumulative learning rate" in found[0].message


def test_a_cosine_run_that_converged_early_is_not_undertrained():
    rng = np.random.default_rng(1)
    lrs = cosine(300)
    time = np.cumsum(lrs)
    losses = 0.2 + 2.0 * np.exp(-time / (0.05 * time[-1])) + 0.03 * rng.standard_normal(300)
    assert still_falling(losses, lrs) is None


def test_with_a_constant_lr_both_readings_agree():
    rng = np.random.default_rng(2)
    losses = 2.3 - 0.01 * np.arange(60) + 0.02 * rng.standard_normal(60)
    per_step, per_lr = still_falling(losses), still_falling(losses, np.full(60, 0.01))
    assert per_step is not None and per_lr is not None
    assert per_lr["projected_drop"] == pytest.approx(per_step["projected_drop"], rel=0.05)


@pytest.mark.parametrize("kind,kwargs", [("l1_loss", {}), ("huber_loss", {"delta": 0.5}), ("smooth_l1_loss", {"beta": 2.0}),
                                          ("mse_loss", {})])
def test_best_constant_loss_matches_a_grid_search(kind, kwargs):
    rng = np.random.default_rng(3)
    targets = np.concatenate([rng.normal(0, 1, (200, 2)), rng.normal(0, 1, (20, 2)) + [8.0, -5.0]])  # skewed by outliers
    loss = getattr(torch.nn.functional, kind)
    grid = np.linspace(-6, 9, 3001)
    columns = torch.tensor(targets)
    expected = np.mean([min(float(loss(torch.full_like(col, c), col, **kwargs)) for c in grid) for col in columns.T])
    got = best_constant_loss(kind, targets.tolist(), **kwargs)
    assert got == pytest.approx(expected, rel=1e-3)
    assert got <= expected + 1e-9


def test_run_mode_reference_for_a_huber_loss_comes_from_the_sampled_targets():
    rng = np.random.default_rng(4)
    target = torch.tensor(rng.standard_t(2, 512), dtype=torch.float32)
    prediction = torch.zeros(512, requires_grad=True)
    evidence = inspect_loss_call("huber_loss", prediction, target, {"delta": 0.5})
    sample = evidence.pop("_target_sample")
    assert len(sample) == 256 and evidence["delta"] == 0.5
    t = Telemetry()
    t.loss_calls = [LossCall("huber_loss", 0, True, None, evidence)]
    t.target_samples = [(0, sample)]
    grid = torch.linspace(-3, 3, 6001)
    head = target[:256].double()
    expected = min(float(torch.nn.functional.huber_loss(torch.full_like(head, float(c)), head, delta=0.5)) for c in grid)
    assert robust_reference_loss(t) == pytest.approx(expected, rel=1e-3)
    summed = Telemetry()
    summed.loss_calls = [LossCall("huber_loss", 0, True, None, {**evidence, "reduction": "sum"})]
    summed.target_samples = [(0, sample)]
    assert robust_reference_loss(summed) is None  # not in the reference's units


def test_underfitting_read_while_the_loss_still_falls_is_advice_not_a_fault():
    from nndoctor import Severity
    from nndoctor.verdicts.generalisation import (
        FitEvidence,
        underfitting,
    )

    stuck = underfitting(FitEvidence(reference=1.39, final_loss=1.31, steps=90))
    falling = underfitting(FitEvidence(reference=1.39, final_loss=1.31, steps=90, still_falling=True))
    assert stuck is not None and stuck.severity == Severity.WARNING
    assert falling is not None and falling.severity == Severity.INFO and "still falling" in falling.message
    assert underfitting(FitEvidence(reference=1.39, final_loss=0.9, steps=90)) is None  # 65% of the constant's: it fits


def test_the_upper_reference_adds_two_standard_errors_of_the_sampled_terms():
    rng = np.random.default_rng(6)
    y = rng.laplace(0, 1, (300, 1))
    estimate, upper = best_constant_loss("l1_loss", y.tolist()), best_constant_loss("l1_loss", y.tolist(), upper=True)
    terms = np.abs(y[:, 0] - np.median(y[:, 0]))  # independent: L1 terms about the median
    assert estimate == pytest.approx(terms.mean(), rel=1e-9)
    assert upper == pytest.approx(terms.mean() + 2 * terms.std(ddof=1) / np.sqrt(300), rel=1e-4)  # any median in the middle pair


def test_the_live_rule_reads_the_lr_of_each_recorded_loss():
    from nndoctor.watch.live_rules import _lr_at_losses

    t = Telemetry()
    t.optimizer_steps = {0: 4}
    t.lr = {0: [0.4, 0.3, 0.2, 0.1]}
    t.train_loss, t.train_loss_steps = [1.0, float("nan"), 0.8, 0.7], [0, 1, 2, 3]
    assert _lr_at_losses(t) == (0.4, 0.2, 0.1)  # the non-finite loss is left out, as in the losses the verdict reads
    t.optimizer_steps = {0: 4, 1: 4}
    assert _lr_at_losses(t) == ()  # two optimizers: no single LR to measure time in
