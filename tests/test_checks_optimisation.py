"""O401-O410: LR, gradients, plateau, oscillation, regularisation and optimizer settings.

Each rule fires on a setup broken in the way it names and stays silent on several healthy
setups (MLP classification, regression, a small CNN, a GRU). Probe budgets are shrunk so
the file runs in well under a minute.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import nndoctor
from nndoctor import Severity
from nndoctor.checks import optimisation as opt
from nndoctor.probes import lr_range, overfit, trial

from conftest import blobs, mlp

MY_CODES = ["O401", "O402", "O403", "O404", "O406", "O407", "O409", "O410", "G601", "G602", "G603", "G604", "G605"]


@pytest.fixture(autouse=True)
def small_budgets(monkeypatch):
    """Shrink the probes' budgets and use one thread (the test machine is shared)."""
    monkeypatch.setattr(trial, "CONFIG", trial.TrialConfig(steps=240, seconds=6.0, eval_points=12))
    monkeypatch.setattr(lr_range, "CONFIG", lr_range.RangeConfig(steps=80, seconds=4.0))
    monkeypatch.setattr(overfit, "CONFIG", overfit.OverfitConfig(steps=200, seconds=4.0, regularisation_steps=150))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# -- setups ------------------------------------------------------------------------------
def classification(optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), model: nn.Module | None = None, n: int = 480, **kw) -> nndoctor.Setup:
    x, y = blobs(n=n + 120)
    return nndoctor.Setup(model=model or mlp(10, 3), train=(x[:n], y[:n]), val=(x[n:], y[n:]),
                          loss=nn.CrossEntropyLoss(), optimizer=optimizer, batch_size=32, **kw)


def regression(optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), seed: int = 0) -> nndoctor.Setup:
    from sklearn.datasets import make_regression

    x, y = make_regression(n_samples=600, n_features=8, n_informative=6, noise=5.0, random_state=seed)
    x = ((x - x.mean(0)) / x.std(0)).astype(np.float32)
    y = ((y - y.mean()) / y.std()).astype(np.float32).reshape(-1, 1)
    return nndoctor.Setup(model=mlp(8, 1, seed=seed), train=(x[:480], y[:480]), val=(x[480:], y[480:]),
                          loss=nn.MSELoss(), optimizer=optimizer, batch_size=32)


def cnn_digits() -> nndoctor.Setup:
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data.reshape(-1, 1, 8, 8) / 8.0 - 1.0).astype(np.float32)[:800]
    y = digits.target.astype(np.int64)[:800]
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 16, 10))
    return nndoctor.Setup(model=model, train=(x[:600], y[:600]), val=(x[600:], y[600:]), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=32)


class GRUClassifier(nn.Module):
    def __init__(self, hidden: int = 16) -> None:
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.gru(x)[0][:, -1])


def gru_sequences() -> nndoctor.Setup:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((600, 12, 1)).astype(np.float32)
    y = (x.sum(axis=(1, 2)) > 0).astype(np.int64)
    torch.manual_seed(0)
    return nndoctor.Setup(model=GRUClassifier(), train=(x[:480], y[:480]), val=(x[480:], y[480:]), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda p: torch.optim.Adam(p, lr=3e-3), batch_size=32)


HEALTHY = {"mlp-classification": classification, "mlp-regression": regression, "cnn-digits": cnn_digits, "gru-sequences": gru_sequences}


def found(setup: nndoctor.Setup, codes: list[str], at_least: str = "warning", budget: float = 40) -> dict[str, nndoctor.Finding]:
    report = nndoctor.checkup(setup, select=codes, budget=budget)
    assert not report.failures, report.failures
    return {f.code: f for f in report.findings if f.severity.at_least(Severity(at_least))}


# -- healthy setups stay silent -----------------------------------------------------------------
@pytest.mark.parametrize("name", list(HEALTHY))
def test_healthy_setups_raise_no_optimisation_or_generalisation_warning(name):
    assert found(HEALTHY[name](), MY_CODES) == {}


# -- O410 settings (pure) -------------------------------------------------------------------
@pytest.mark.parametrize("kind, group, severity", [
    ("SGD", {"lr": 0.1, "momentum": 1.0}, Severity.ERROR),
    ("SGD", {"lr": 0.1, "momentum": -0.5}, Severity.ERROR),
    ("SGD", {"lr": 0.0}, Severity.ERROR),
    ("Adam", {"lr": 1e-3, "betas": (0.9, 1.0), "eps": 1e-8}, Severity.ERROR),
    ("Adam", {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-16}, Severity.WARNING),
    ("Adam", {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 0.1}, Severity.WARNING),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 5.0}, Severity.WARNING),  # loses 50% per step
    ("Adam", {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 2.0}, Severity.WARNING),
])
def test_pathological_settings_are_named(kind, group, severity):
    problems = opt.settings_problems(kind, [group])
    assert [p[0] for p in problems] == [severity]


@pytest.mark.parametrize("kind, group", [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 5e-4}),
    ("Adam", {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0}),
    ("AdamW", {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01}),
    ("RMSprop", {"lr": 1e-2, "momentum": 0.0, "eps": 1e-8, "alpha": 0.99}),
])
def test_sane_settings_pass(kind, group):
    assert opt.settings_problems(kind, [group]) == []


def test_o410_through_checkup():
    bad = found(classification(lambda p: torch.optim.SGD(p, lr=0.01, momentum=1.0)), ["O410"])
    assert bad["O410"].severity == Severity.ERROR and bad["O410"].evidence["momentum"] == 1.0
    assert found(classification(lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)), ["O410"]) == {}


# -- O401 / O402 ------------------------------------------------------------------------------
def test_o401_fires_when_sgd_lr_is_far_above_where_the_loss_explodes():
    hits = found(classification(lambda p: torch.optim.SGD(p, lr=30.0)), ["O401", "O402", "G602"])
    finding = hits["O401"]
    assert finding.severity == Severity.ERROR
    assert finding.evidence["user_lr"] == 30.0
    assert finding.evidence["suggested_lr"] is not None and finding.evidence["suggested_lr"] < 30.0
    assert "O402" not in hits


def test_o401_fires_for_adam_at_lr_1_on_regression():
    hits = found(regression(lambda p: torch.optim.Adam(p, lr=1.0)), ["O401"])
    assert hits["O401"].evidence["optimizer"] == "Adam"
    assert hits["O401"].evidence["divergence_lr"] < 1.0


def test_o402_and_lr_explained_underfitting_for_a_tiny_sgd_lr():
    hits = found(classification(lambda p: torch.optim.SGD(p, lr=1e-6)), ["O401", "O402", "G602", "O406"])
    assert "O401" not in hits
    o402 = hits["O402"]
    assert o402.evidence["suggested_lr"] >= 30 * 1e-6
    assert hits["G602"].explained_by == "O402"


def test_lr_verdict_is_silent_when_lr_is_near_the_suggestion():
    hits = found(classification(lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)), ["O401", "O402"])
    assert hits == {}


# -- O403 / O404 ------------------------------------------------------------------------------
def test_gradient_growth_measures_orders_of_magnitude():
    steady = [1.0 + 0.1 * np.sin(i) for i in range(60)]
    exploding = [1.2**i for i in range(60)]
    assert opt.gradient_growth(steady) < 2
    assert opt.gradient_growth(exploding) == pytest.approx(1.2 ** (55 + 2) / 1.2**2, rel=1e-6)
    assert opt.gradient_growth(steady[:5] + [float("inf")] + steady) == float("inf")


def test_o403_fires_when_sgd_diverges_on_regression_and_o401_explains_it():
    report = nndoctor.checkup(regression(lambda p: torch.optim.SGD(p, lr=0.5, momentum=0.9)), select=["O401", "O403"], budget=40)
    by_code = {f.code: f for f in report.findings}
    assert by_code["O403"].evidence["growth"] >= opt.EXPLODING_GROWTH
    assert by_code["O403"].explained_by == "O401"


def deep_sigmoid(depth: int = 12, width: int = 32) -> nn.Module:
    torch.manual_seed(0)
    layers: list[nn.Module] = [nn.Linear(10, width), nn.Sigmoid()]
    for _ in range(depth - 2):
        layers += [nn.Linear(width, width), nn.Sigmoid()]
    return nn.Sequential(*layers, nn.Linear(width, 3))


def test_o404_fires_for_a_deep_sigmoid_stack():
    hits = found(classification(model=deep_sigmoid()), ["O404"])
    assert hits["O404"].evidence["ratio"] < opt.VANISHING_RATIO
    assert hits["O404"].location == "0.weight"


# -- O406 / O407 ------------------------------------------------------------------------------
def test_plateau_on_synthetic_curves():
    assert opt.plateau([2.3] * 10, reference=2.3) is not None
    assert opt.plateau([2.40, 2.31, 2.303, 2.303, 2.303, 2.303], reference=2.303) is not None  # stuck at the prior
    assert opt.plateau([2.3, 1.5, 1.0, 0.8, 0.7, 0.65], reference=2.3) is None
    assert opt.plateau([0.01, 0.01, 0.01], reference=2.3) is None  # already fitted: not judged


def dead_relu_network() -> nn.Module:
    model = mlp(10, 3)
    with torch.no_grad():
        model[0].bias.fill_(-100.0)
    return model


def test_o406_fires_when_every_relu_is_dead():
    hits = found(classification(model=dead_relu_network()), ["O406"])
    assert hits["O406"].severity == Severity.ERROR


def test_oscillation_on_synthetic_curves():
    rng = np.random.default_rng(0)
    bouncing = [2.0] + list(1.0 + 0.4 * (-1.0) ** np.arange(15) + 0.05 * rng.standard_normal(15))
    falling = list(2.0 * np.exp(-np.arange(16) / 4) + 0.01 * rng.standard_normal(16))
    converged = list(np.r_[2.0, 1.0, 0.5, 0.3 + 0.005 * rng.standard_normal(13)])
    assert opt.is_oscillating(opt.oscillation(bouncing))
    assert not opt.is_oscillating(opt.oscillation(falling))
    assert not opt.is_oscillating(opt.oscillation(converged))


# -- O409 ------------------------------------------------------------------------------------
def dropout_mlp(p: float) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Dropout(p), nn.Linear(64, 64), nn.ReLU(), nn.Dropout(p), nn.Linear(64, 3))


def test_o409_fires_for_crushing_weight_decay():
    hits = found(classification(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.5)), ["O409"])
    assert hits["O409"].evidence["without_regularisation"] <= 0.5 * hits["O409"].evidence["with_regularisation"]


def test_o409_silent_for_ordinary_regularisation():
    setup = classification(lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.01), model=dropout_mlp(0.2))
    assert found(setup, ["O409"]) == {}
