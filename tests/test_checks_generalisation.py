"""G601-G605: overfitting, underfitting, accuracy paradox, suspicious validation, undertraining.

Verdict functions are tested on synthetic curves with known answers; each rule also fires
through ``checkup`` on a setup broken in the way it names. Healthy setups (MLP, regression,
CNN, GRU) are checked silent in test_checks_optimisation.py, which shares these helpers.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import nndoctor
from nndoctor import Severity
from nndoctor.checks import generalisation as gen
from nndoctor.probes import lr_range, overfit, trial

from conftest import blobs, mlp
from test_checks_optimisation import classification, found, regression


@pytest.fixture(autouse=True)
def small_budgets(monkeypatch):
    monkeypatch.setattr(trial, "CONFIG", trial.TrialConfig(steps=240, seconds=6.0, eval_points=12))
    monkeypatch.setattr(lr_range, "CONFIG", lr_range.RangeConfig(steps=80, seconds=4.0))
    monkeypatch.setattr(overfit, "CONFIG", overfit.OverfitConfig(steps=200, seconds=4.0))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# -- G601 ------------------------------------------------------------------------------------
def test_overfitting_curve_verdicts():
    train = [2.0, 1.2, 0.8, 0.5, 0.3, 0.2, 0.1, 0.05]
    rising = [2.0, 1.3, 1.0, 0.9, 1.0, 1.1, 1.3, 1.5]
    assert gen.overfitting(train, rising)["best_val_loss"] == 0.9
    assert gen.overfitting(train, [2.0, 1.3, 1.0, 0.9, 0.85, 0.8, 0.78, 0.77]) is None  # still improving
    assert gen.overfitting(train, [2.0, 1.3, 1.0, 0.9, 0.95, 0.92, 0.9, 1.2]) is None  # one noisy point
    accuracy_still_rising = [0.5, 0.6, 0.7, 0.75, 0.78, 0.8, 0.85, 0.9]
    accuracy_stalled = [0.5, 0.6, 0.7, 0.75, 0.75, 0.76, 0.75, 0.75]
    assert gen.overfitting(train, rising, accuracy_stalled) is not None
    assert gen.overfitting(train, rising, accuracy_still_rising) is None  # loss driven by a few outliers


def tiny_noisy_training_set() -> nndoctor.Setup:
    """40 training samples, a quarter of their labels flipped, a wide MLP and a brisk Adam."""
    x, y = blobs(n=440, classes=3, seed=1)
    rng = np.random.default_rng(0)
    y_train = y[:40].copy()
    flip = rng.choice(40, 10, replace=False)
    y_train[flip] = (y_train[flip] + 1) % 3
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 3))
    return nndoctor.Setup(model=model, train=(x[:40], y_train), val=(x[40:], y[40:]), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda p: torch.optim.Adam(p, lr=1e-2), batch_size=8)


def test_g601_fires_when_a_tiny_noisy_training_set_is_memorised():
    hits = found(tiny_noisy_training_set(), ["G601"])
    evidence = hits["G601"].evidence
    assert evidence["final_val_loss"] >= 1.1 * evidence["best_val_loss"]
    assert evidence["final_train_loss"] < evidence["train_loss_at_best"]


# -- G602 ------------------------------------------------------------------------------------
def xor_with_a_linear_model() -> nndoctor.Setup:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (400, 2)).astype(np.float32)
    y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64)
    torch.manual_seed(0)
    return nndoctor.Setup(model=nn.Linear(2, 2), train=(x[:320], y[:320]), val=(x[320:], y[320:]), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda p: torch.optim.Adam(p, lr=1e-2), batch_size=32)


def test_g602_fires_when_a_linear_model_cannot_memorise_xor():
    hits = found(xor_with_a_linear_model(), ["G602"])
    finding = hits["G602"]
    assert finding.severity == Severity.ERROR and finding.explained_by is None
    assert all(a["accuracy"] < 1.0 for a in finding.evidence["attempts"])


def test_g602_silent_when_the_same_data_gets_a_hidden_layer():
    setup = xor_with_a_linear_model()
    torch.manual_seed(0)
    setup.model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 2))
    assert found(setup, ["G602"]) == {}


def test_underfitting_verdict_blames_the_lr_when_the_suggestion_fits():
    def attempt(source, lr, final, acc, fitted):
        return overfit.Attempt(source, lr, 1.1, final, acc, 200, fitted, False)

    lr_fixes = overfit.OverfitResult(32, 1.1, 0.11, [attempt("user", 1e-6, 1.09, 0.4, False), attempt("suggested", 1e-2, 0.05, 1.0, True)])
    assert gen.underfitting(lr_fixes).explained_by == "O402"
    too_high = overfit.OverfitResult(32, 1.1, 0.11, [attempt("user", 10.0, 1.5, 0.3, False), attempt("suggested", 1e-2, 0.05, 1.0, True)])
    assert gen.underfitting(too_high).explained_by == "O401"
    fits = overfit.OverfitResult(32, 1.1, 0.11, [attempt("user", 1e-3, 0.05, 1.0, True)])
    assert gen.underfitting(fits) is None
    stopped_by_the_clock = overfit.Attempt("user", 1e-3, 1.1, 0.6, 0.8, 20, False, False, cut_short=True)
    assert gen.underfitting(overfit.OverfitResult(32, 1.1, 0.11, [stopped_by_the_clock])) is None


# -- G603 ------------------------------------------------------------------------------------
def test_accuracy_paradox_verdicts():
    support = {0: 90, 1: 10}
    assert gen.accuracy_paradox({0: 1.0, 1: 0.0}, support)["never_predicted"] == [1]
    assert gen.accuracy_paradox({0: 0.95, 1: 0.6}, support) is None
    assert gen.accuracy_paradox({0: 1.0, 1: 0.0, 2: 0.0}, {0: 34, 1: 33, 2: 33}) is None  # balanced: no paradox


def test_g603_fires_on_imbalanced_data_whose_features_carry_no_signal():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((600, 10)).astype(np.float32)
    y = (rng.random(600) < 0.1).astype(np.int64)
    setup = nndoctor.Setup(model=mlp(10, 2), train=(x[:480], y[:480]), val=(x[480:], y[480:]), loss=nn.CrossEntropyLoss(),
                           optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=32)
    hits = found(setup, ["G603"])
    assert hits["G603"].evidence["never_predicted"] == [1]
    assert hits["G603"].evidence["majority_share"] >= 0.8


# -- G604 ------------------------------------------------------------------------------------
def test_suspicious_validation_verdicts():
    assert gen.suspicious_validation(0.9, 0.2, 0.6, 0.95, reference=1.1) is not None
    assert gen.suspicious_validation(0.5, 0.45, 0.8, 0.82, reference=1.1) is None
    assert gen.suspicious_validation(0.02, 0.005, 1.0, 1.0, reference=1.1) is None  # both fitted: trivial train loss


def test_g604_fires_when_validation_holds_only_easy_clean_samples():
    x, y = blobs(n=600, classes=3, seed=2)
    rng = np.random.default_rng(0)
    y_train = y[:480].copy()
    flip = rng.random(480) < 0.4
    y_train[flip] = rng.integers(0, 3, flip.sum())
    centres = np.stack([x[:480][y[:480] == c].mean(0) for c in range(3)])
    x_val = np.repeat(centres, 40, axis=0) + 0.05 * rng.standard_normal((120, 10)).astype(np.float32)
    setup = nndoctor.Setup(model=mlp(10, 3), train=(x[:480], y_train), val=(x_val.astype(np.float32), np.repeat(np.arange(3), 40)),
                           loss=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=32)
    hits = found(setup, ["G604"])
    assert hits["G604"].evidence["val_loss"] < hits["G604"].evidence["train_loss"]


# -- G605 ------------------------------------------------------------------------------------
def test_still_falling_verdicts():
    rng = np.random.default_rng(0)
    steps = np.arange(300)
    assert gen.still_falling(2.0 - 0.004 * steps + 0.05 * rng.standard_normal(300)) is not None
    assert gen.still_falling(0.3 + 0.05 * rng.standard_normal(300)) is None
    assert gen.still_falling(0.3 + 1.7 * np.exp(-steps / 20) + 0.02 * rng.standard_normal(300)) is None  # converged early


def test_g605_is_info_when_a_small_lr_leaves_the_loss_falling_and_silent_once_converged():
    slow = found(regression(lambda p: torch.optim.Adam(p, lr=2e-4)), ["G605"], at_least="info")
    assert slow["G605"].severity == Severity.INFO
    assert found(classification(lambda p: torch.optim.Adam(p, lr=1e-2)), ["G605"], at_least="info") == {}
