"""Measurements traced on round 13's unseen scripts (benchmarks/outofsample/round13), each against the reading it replaced.

* Under class weights and label smoothing the loss of the best constant prediction is not the label entropy: a
  weighted, smoothed cross-entropy that has learned sits above the entropy, and "never went below the prior" (O406,
  G602) must compare it with the constant's loss under the same weights and smoothing.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import nndoctor
from nndoctor import Severity
from nndoctor.probes.data_duplicates import cross_split_copies, fit_neighbours
from nndoctor.verdicts.curves import class_prior_loss
from nndoctor.watch.instrument import instrumented


def _searched_constant_loss(counts: list[int], weight: torch.Tensor | None, smoothing: float) -> float:
    """The independent calculation: torch's own loss minimised over one constant logit vector by L-BFGS."""
    labels = torch.repeat_interleave(torch.arange(len(counts)), torch.tensor(counts))
    logits = torch.zeros(len(counts), dtype=torch.float64, requires_grad=True)
    solver = torch.optim.LBFGS([logits], max_iter=200, line_search_fn="strong_wolfe")
    w = weight.double() if weight is not None else None

    def closure() -> torch.Tensor:
        solver.zero_grad()
        value = nn.functional.cross_entropy(logits.expand(len(labels), -1), labels, weight=w, label_smoothing=smoothing)
        value.backward()
        return value

    solver.step(closure)
    with torch.no_grad():
        return float(nn.functional.cross_entropy(logits.expand(len(labels), -1), labels, weight=w, label_smoothing=smoothing))


@pytest.mark.parametrize("counts, weight, smoothing", [
    ([700, 150, 100, 50], [0.3, 1.2, 2.0, 4.0], 0.0),
    ([700, 150, 100, 50], None, 0.1),
    ([770, 130, 100], [0.43, 2.56, 3.33], 0.05),
    ([40, 0, 9, 1], [1.0, 5.0, 2.0, 0.5], 0.2),
])
def test_the_best_constant_loss_under_weights_and_smoothing_is_what_a_search_finds(counts, weight, smoothing):
    found = class_prior_loss(counts, weight, smoothing)
    searched = _searched_constant_loss(counts, torch.tensor(weight) if weight is not None else None, smoothing)
    assert found is not None and found.estimate == pytest.approx(searched, rel=1e-4)
    assert found.upper >= found.estimate


def _weighted_loop(signal: bool) -> None:
    """Three imbalanced classes (77/13/10) under inverse-frequency class weights and label smoothing 0.05."""
    torch.manual_seed(0)
    y = torch.multinomial(torch.tensor([0.77, 0.13, 0.10]), 4000, replacement=True)
    x = torch.randn(4000, 12)
    if signal:
        x[:, :3] += 0.8 * nn.functional.one_hot(y, 3).float()
    counts = torch.bincount(y, minlength=3).float()
    model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss(weight=counts.sum() / (3 * counts), label_smoothing=0.05)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=64, shuffle=True)
    for _ in range(6):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()


def _loud_codes(signal: bool) -> set[str]:
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            _weighted_loop(signal)
    finally:
        doctor.stop()
    return {f.code for f in doctor.report().at_least(Severity.WARNING)}


def test_a_weighted_smoothed_loss_that_learns_is_no_plateau():
    """Its loss ends above the label entropy (about 0.70 nats) yet below the weighted, smoothed constant's (about ln 3)."""
    assert not {"O406", "G602"} & _loud_codes(signal=True)


def test_a_weighted_smoothed_loss_on_labels_without_signal_stays_a_plateau():
    assert "O406" in _loud_codes(signal=False)


def _searched_floor(labels: torch.Tensor, weight: torch.Tensor, smoothing: float) -> float:
    """The independent calculation: torch's loss minimised over free logits for every sample (a perfect memoriser)."""
    logits = torch.zeros(len(labels), len(weight), dtype=torch.float64, requires_grad=True)
    solver = torch.optim.LBFGS([logits], max_iter=500, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        solver.zero_grad()
        value = nn.functional.cross_entropy(logits, labels, weight=weight.double(), label_smoothing=smoothing)
        value.backward()
        return value

    solver.step(closure)
    with torch.no_grad():
        return float(nn.functional.cross_entropy(logits, labels, weight=weight.double(), label_smoothing=smoothing))


@pytest.mark.parametrize("weight, smoothing", [([1.0, 1.0, 1.0, 1.0], 0.1), ([0.2, 1.5, 3.0, 6.0], 0.05),
                                               ([0.5, 0.5, 4.0, 1.0], 0.3)])
def test_a_perfect_memorisers_loss_under_weights_and_smoothing_is_what_a_search_finds(weight, smoothing):
    """The single-batch test's floor (G602 "cannot memorise" is measured above it)."""
    from nndoctor.probes.overfit import loss_floor

    labels = torch.tensor([0] * 20 + [1] * 6 + [2] * 4 + [3] * 2)
    setup = nndoctor.Setup(model=nn.Linear(3, 4), train=(torch.randn(32, 3), labels),
                           loss=nn.CrossEntropyLoss(weight=torch.tensor(weight), label_smoothing=smoothing)).resolve()
    assert loss_floor(setup, labels) == pytest.approx(_searched_floor(labels, torch.tensor(weight), smoothing), rel=1e-4)


def _one_hot_rows(n: int, seed: int) -> np.ndarray:
    """Rows of a click log: one-hot segment (30), category (20), slot (8) and hour (24) beside four standardised numbers."""
    rng = np.random.default_rng(seed)
    codes = [np.eye(k)[rng.integers(0, k, n)] for k in (30, 20, 8, 24)]
    return np.hstack([*codes, rng.normal(size=(n, 4))]).astype(np.float32)


def test_rows_that_share_one_hot_codes_by_chance_are_no_near_copies():
    """One-hot columns cut the rows into cells far apart; a neighbour in its own cell is no copy (D108, D107)."""
    train, val = _one_hot_rows(12000, 0), _one_hot_rows(4000, 1)
    exact, near = cross_split_copies(train, val)
    assert exact.sum() == 0 and near.mean() < 0.002  # 3.6% before binary columns were set apart
    found = fit_neighbours(np.arange(2000), train[:2000])
    assert found is not None and found.near_in_sample()[0].mean() < 0.002


def test_copies_with_noise_on_their_numbers_are_still_near_copies():
    rng = np.random.default_rng(2)
    train, val = _one_hot_rows(6000, 0), _one_hot_rows(2000, 1)  # every training row in the search
    copied = train[:200].copy()
    copied[:, -4:] += rng.normal(scale=1e-3, size=(200, 4))
    exact, near = cross_split_copies(train, np.vstack([val, copied]))
    assert near[2000:].mean() > 0.9 and near[:2000].mean() < 0.002
    with_copies = np.vstack([train[:1800], copied])
    mask, partner = fit_neighbours(np.arange(2000), with_copies).near_in_sample()
    assert mask[1800:].mean() > 0.9 and (partner[1800:][mask[1800:]] == np.arange(200)[mask[1800:]]).all()


def _outlier_batches(level: np.ndarray, seed: int) -> list[float]:
    """Huber losses of batches that now and then hold an outlier of a heavy-tailed target: 7.5% of the steps jump
    to 2.5-5x the level, from the first step on, at the same rate."""
    rng = np.random.default_rng(seed)
    jumps = np.where(rng.random(len(level)) < 0.075, rng.uniform(2.5, 5.0, len(level)), 1.0)
    return list(level * rng.lognormal(0.0, 0.15, len(level)) * jumps)


def test_outlier_batches_of_a_heavy_tailed_loss_that_falls_are_no_oscillation():
    """Round 13 e/claims_huber_manual_sgd: the typical batch fell by a quarter while outlier batches kept the mean."""
    from nndoctor.verdicts.curves import oscillation_evidence

    steps = np.arange(1400)
    falling = _outlier_batches(0.24 + 0.12 * np.exp(-steps / 150), 0)
    assert np.median(falling[-140:]) < 0.8 * falling[0]  # independent: the typical batch came down from where it began
    assert oscillation_evidence(falling) is None
    stuck = _outlier_batches(np.full(1400, 0.33), 0)
    found = oscillation_evidence(stuck)
    assert found is not None and found["shape"] == "spikes"


def test_steps_that_overshoot_from_the_first_ones_are_spikes_though_the_typical_batch_is_a_little_lower():
    """The fault benchmark's O407-r433 (Adam at lr 0.3): the loss starts at ln 4 and is thrown to 3-6 within the first
    few steps, so a median over them is no start; the typical batch ends at 0.86 of the loss at init."""
    from nndoctor.verdicts.curves import oscillation_evidence

    losses = _outlier_batches(np.full(456, 1.2), 1)
    losses[:5] = [1.39, 3.5, 4.97, 0.83, 4.28]
    assert np.median(losses[:5]) > 2 * losses[0]
    found = oscillation_evidence(losses)
    assert found is not None and found["shape"] == "spikes"


def test_steps_too_small_because_the_units_died_are_the_dead_units_doing():
    """Round 13 c/battery_capacity_regression: a hand-written update at lr 0.4 kills the ReLUs by step 8, and then
    their weights take no step at any LR; tiny steps alone do not name the LR. A range test that finds the loss
    falling at a higher LR does, and then the LR stays a root beside the dead units."""
    from nndoctor.diagnosis import rank
    from nndoctor.findings import Finding

    def findings(o402_evidence: dict) -> list[Finding]:
        died = Finding("O405", Severity.WARNING, "dead units grew from 4% to 99%", {"onset_step": 8})
        small = Finding("O402", Severity.WARNING, "updates change the weights by only 5.3e-07", o402_evidence)
        return rank([died, small])

    steps_only = {f.code: f for f in findings({"median_update_ratio": 5.3e-7, "progress": 0.03})}
    assert steps_only["O402"].explained_by == "O405" and steps_only["O405"].explained_by is None
    swept = {f.code: f for f in findings({"median_update_ratio": 5.3e-7, "suggested_lr": 0.3})}
    assert swept["O402"].explained_by is None
