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
from nndoctor.verdicts import optimisation as verdict

from conftest import blobs, mlp

MY_CODES = ["O401", "O402", "O403", "O404", "O406", "O407", "O409", "O410", "G601", "G602", "G603", "G604", "G605"]


@pytest.fixture(autouse=True)
def small_budgets(monkeypatch):
    """Shrink the probes' budgets and use one thread (the test machine is shared)."""
    monkeypatch.setattr(trial, "CONFIG", trial.TrialConfig(steps=240, eval_points=12))
    monkeypatch.setattr(lr_range, "CONFIG", lr_range.RangeConfig(steps=80))
    monkeypatch.setattr(overfit, "CONFIG", overfit.OverfitConfig(steps=200, regularisation_steps=150))
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
    ("AdamW", {"lr": 1e-3, "betas": (0.999, 0.9), "eps": 1e-8, "weight_decay": 0.01}, Severity.WARNING),  # swapped
    ("Adamax", {"lr": 2e-3, "betas": (0.95, 0.9), "eps": 1e-8}, Severity.WARNING),
])
def test_pathological_settings_are_named(kind, group, severity):
    problems = opt.settings_problems(kind, [group])
    assert [p[0] for p in problems] == [severity]


def test_groups_sharing_a_setting_share_one_problem():
    # a Trainer builds a decay and a no-decay group from the same arguments: one finding, not one per group
    swapped = {"lr": 1e-3, "betas": (0.999, 0.9), "eps": 1e-8}
    (problem,) = opt.settings_problems("AdamW", [{**swapped, "weight_decay": 0.01}, {**swapped, "weight_decay": 0.0}])
    assert problem[1].startswith("every parameter group (2) has betas=(0.999, 0.9)") and problem[2]["groups"] == [0, 1]
    first, second = opt.settings_problems("SGD", [{"lr": 0.1, "momentum": 1.0}, {"lr": 0.0, "momentum": 1.0}])
    assert first[1].startswith("every parameter group (2) has momentum=1.0")
    assert second[1].startswith("group 1 has lr=0")


@pytest.mark.parametrize("kind, group", [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 5e-4}),
    ("Adam", {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0}),
    ("AdamW", {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01}),
    ("RMSprop", {"lr": 1e-2, "momentum": 0.0, "eps": 1e-8, "alpha": 0.99}),
    ("AdamW", {"lr": 3e-4, "betas": (0.9, 0.95), "eps": 1e-8, "weight_decay": 0.1}),  # language models
    ("Adam", {"lr": 2e-4, "betas": (0.5, 0.999), "eps": 1e-8}),  # GANs
    ("Adam", {"lr": 1e-3, "betas": (0.0, 0.99), "eps": 1e-8}),
    ("NAdam", {"lr": 1e-3, "betas": (0.99, 0.999), "eps": 1e-8}),
])
def test_sane_settings_pass(kind, group):
    assert opt.settings_problems(kind, [group]) == []


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.9, 0.95), (0.999, 0.9), (0.99, 0.9)])
def test_adams_step_stays_bounded_exactly_when_the_betas_pass(betas):
    # independent of the rule's bound: one gradient then silence; torch's Adam moves the weight by the LR at most
    # while b1² < b2, and without bound (here, past ten LRs in 200 steps) when the first moment outlasts the second
    weight = torch.zeros(1, requires_grad=True)
    adam = torch.optim.Adam([weight], lr=1.0, betas=betas, eps=1e-30)
    largest = 0.0
    for step in range(200):
        before = weight.detach().clone()
        weight.grad = torch.ones(1) if step == 0 else torch.full((1,), 1e-12)
        adam.step()
        largest = max(largest, float((weight.detach() - before).abs()))
    unbounded = largest > 10.0
    assert unbounded == bool(opt.settings_problems("Adam", [{"lr": 1.0, "betas": betas, "eps": 1e-8}]))


def test_o410_through_checkup():
    bad = found(classification(lambda p: torch.optim.SGD(p, lr=0.01, momentum=1.0)), ["O410"])
    assert bad["O410"].severity == Severity.ERROR and bad["O410"].evidence["momentum"] == 1.0
    assert found(classification(lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)), ["O410"]) == {}
    swapped = found(classification(lambda p: torch.optim.AdamW(p, lr=1e-3, betas=(0.999, 0.9))), ["O410"])
    assert swapped["O410"].severity == Severity.WARNING and swapped["O410"].evidence["betas"] == [0.999, 0.9]


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


def test_o402_and_lr_explained_underfitting_for_a_slow_adam_lr():
    hits = found(classification(lambda p: torch.optim.Adam(p, lr=1e-5)), ["O401", "O402", "G602", "O406"])
    assert "O401" not in hits
    assert hits["O402"].evidence["suggested_lr"] >= 30 * 1e-5
    assert hits["G602"].explained_by == "O402"


def test_weights_frozen_by_a_tiny_lr_are_o402_with_the_plateau_as_its_symptom():
    """SGD at 1e-6: nothing falls. The range test names the LR, so O402 is the root and the plateau and
    the single-batch failure are its symptoms ("O406 because O402")."""
    hits = found(classification(lambda p: torch.optim.SGD(p, lr=1e-6)), ["O401", "O402", "G602", "O406"])
    assert "O401" not in hits
    root = hits["O402"]
    assert root.explained_by is None and root.evidence["weights_frozen"] is True
    assert root.evidence["median_update_ratio"] < opt.FROZEN_UPDATE
    assert root.evidence["suggested_lr"] >= verdict.TOO_LOW_FACTOR * 1e-6 and root.fix
    assert hits["O406"].explained_by == "O402" and hits["G602"].explained_by == "O402"


def test_frozen_weights_with_no_probe_naming_the_lr_stay_the_plateau_alone():
    """A flat loss under tiny steps is also what a gradient that never reaches the weights gives:
    without a range test or single batch to name the LR, O402 stays silent and O406 states the steps."""
    curve = verdict.LossCurve(values=(2.30, 2.30, 2.30, 2.30), source="fixed-set", steps=100, span="in the run", reference=2.30)
    evidence = verdict.LearningRateEvidence(lr=1e-3, optimizer="SGD", curve=curve, update_ratio=1e-7, last_update_ratio=1e-7)
    assert verdict.weights_frozen(evidence)
    assert verdict.learning_rate(evidence) == []
    plateau = list(verdict.loss_plateau(verdict.PlateauEvidence(curve, update_ratio=1e-7)))
    assert [f.code for f in plateau] == ["O406"] and "1e-07 of their size" in plateau[0].message


def test_an_lr_finding_is_a_symptom_of_pathological_optimizer_settings():
    hits = found(classification(lambda p: torch.optim.Adam(p, lr=1e-3, eps=1.0)), ["O402", "O410"])
    assert hits["O410"].evidence["eps"] == 1.0
    assert hits["O402"].explained_by == "O410"


def _sweep(divergence_lr: float) -> lr_range.RangeResult:
    suggestion = lr_range.Suggestion(divergence_lr / 10, divergence_lr * 0.8, divergence_lr, "synthetic")
    return lr_range.RangeResult([], [], [], "diverged", None, suggestion, "SGD")


def test_a_steady_trial_at_the_users_lr_overrules_the_range_tests_divergence():
    """The range test spends one step per LR; hundreds of steady steps at the user's LR are the direct measurement."""
    steady = trial.TrialResult(lr=0.01, steps=400, train_eval=[1.27, 1.26, 1.24, 1.22, 1.2, 1.18, 1.14, 1.1, 1.06])
    bouncing = trial.TrialResult(lr=0.01, steps=400, train_eval=[1.27, 0.9, 1.3, 0.8, 1.25, 0.85, 1.2, 0.9, 1.1])
    collapsed = trial.TrialResult(lr=0.05, steps=400, train_eval=[2.2, 0.68, 0.666, 0.666, 0.665, 0.665], reference=0.665)
    assert opt.lr_verdict(0.01, _sweep(0.0085), steady, None) == []
    assert opt.lr_verdict(0.01, _sweep(0.0085), bouncing, None)[0].code == "O401"
    assert opt.lr_verdict(0.01, _sweep(0.0085), None, None)[0].code == "O401"
    assert opt.lr_verdict(0.05, _sweep(0.0085), collapsed, None)[0].code == "O401"  # fell onto the prior: dead, not stable


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


def test_vanishing_verdict_on_synthetic_layers():
    assert opt.vanishing_verdict([("0.weight", 1e-7), ("2.weight", 1e-4), ("4.weight", 1e-2)], "over the trial").code == "O404"
    assert opt.vanishing_verdict([("0.weight", 1e-3), ("4.weight", 1e-2)], "over the trial") is None
    assert opt.vanishing_verdict([("0.weight", 0.0), ("4.weight", 1e-2)], "over the trial") is None  # cut off, not vanishing


def test_o404_fires_when_gradients_vanish_over_the_trials_opening_before_adam_rescales_them():
    torch.manual_seed(0)
    layers: list[nn.Module] = [nn.Linear(8, 64), nn.Sigmoid()]
    for _ in range(5):
        layers += [nn.Linear(64, 64), nn.Sigmoid()]
    setup = regression(lambda p: torch.optim.Adam(p, lr=3e-3))
    setup.model = nn.Sequential(*layers, nn.Linear(64, 1))
    finding = found(setup, ["O404"])["O404"]
    assert finding.evidence["ratio"] < opt.VANISHING_RATIO
    assert "first" in finding.message


class ReluRNN(nn.Module):
    def __init__(self, gain: float) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.rnn = nn.RNN(1, 16, nonlinearity="relu", batch_first=True)
        nn.init.orthogonal_(self.rnn.weight_hh_l0, gain=gain)
        self.head = nn.Linear(16, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.rnn(x)[0][:, -1])


def running_mean_task(gain: float) -> nndoctor.Setup:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((600, 16, 1)).astype(np.float32)
    y = 4 * x.mean(axis=(1, 2)).reshape(-1, 1).astype(np.float32)
    return nndoctor.Setup(model=ReluRNN(gain), train=(x[:480], y[:480]), val=(x[480:], y[480:]), loss=nn.MSELoss(),
                          optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=32)


def test_o403_fires_when_a_recurrent_layer_explodes_back_through_time():
    finding = found(running_mean_task(gain=3.0), ["O403"])["O403"]
    assert finding.severity == Severity.ERROR and finding.location == "rnn"
    assert finding.evidence["through_time"]["rnn"]["ratio"] >= opt.EXPLODING_GROWTH


def test_o403_silent_for_a_contracting_recurrent_layer():
    assert found(running_mean_task(gain=0.9), ["O403"]) == {}


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


def test_a_plateau_is_explained_by_a_model_that_cannot_fit_at_any_lr():
    from test_checks_generalisation import xor_with_a_linear_model

    hits = found(xor_with_a_linear_model(), ["O406", "G602"])
    assert hits["G602"].explained_by is None
    assert hits["O406"].explained_by == "G602"


def test_bumps_measure_climbs_above_the_lows_on_both_sides():
    assert opt.bumps([1.0, 0.5, 0.8, 0.4, 0.3]).tolist() == pytest.approx([0.0, 0.6, 0.0])
    assert opt.bumps([1.0, 2.0, 3.0, 4.0]).tolist() == [0.0, 0.0]  # a steady rise never comes back down
    assert opt.bumps([3.0, 1.0, 2.0, 2.0, 2.0]).tolist() == [0.0, 0.0, 0.0]  # rise, then a plateau


def test_oscillation_on_synthetic_curves():
    rng = np.random.default_rng(0)
    bouncing = [2.0] + list(1.0 + 0.4 * (-1.0) ** np.arange(15) + 0.05 * rng.standard_normal(15))
    falling = list(2.0 * np.exp(-np.arange(16) / 4) + 0.01 * rng.standard_normal(16))
    converged = list(np.r_[2.0, 1.0, 0.5, 0.3 + 0.005 * rng.standard_normal(13)])
    assert opt.is_oscillating(opt.oscillation(bouncing))
    assert not opt.is_oscillating(opt.oscillation(falling))
    assert not opt.is_oscillating(opt.oscillation(converged))
    kicked_around = [2.0] + list(0.5 * (1 + 0.8 * rng.random(16)))  # most evaluations far above the floor it keeps revisiting
    trending_bounce = [1.1, 0.34, 0.42, 0.38, 0.58, 0.26, 0.41, 0.23, 0.36, 0.3, 0.16, 0.19, 0.22, 0.18, 0.15, 0.21, 0.19]
    noisy_floor = [1.14, 0.5, 0.56, 0.58, 0.51, 0.44, 0.4, 0.42, 0.39, 0.35, 0.38, 0.36, 0.46, 0.33, 0.35, 0.42, 0.34]
    rare_spikes_near_zero = [0.69, 0.69, 0.47, 0.12, 0.07, 0.057, 0.026, 0.019, 0.039, 0.013, 0.009, 0.008, 0.007, 0.094, 0.027, 0.009]
    assert opt.bouncing(kicked_around) is not None and opt.bouncing(trending_bounce) is not None
    for calm in (falling, converged, noisy_floor, rare_spikes_near_zero, [1.0 + 0.1 * i for i in range(16)], [27.0, 4.5] + [7.8] * 14):
        assert opt.bouncing(calm) is None


def bouncy_sgd(lr: float) -> nndoctor.Setup:
    """A tanh MLP on Friedman #1 trained by plain SGD with batches of 8."""
    from sklearn.datasets import make_friedman1

    x, y = make_friedman1(n_samples=600, n_features=8, noise=0.5, random_state=0)
    x, y = ((x - 0.5) / 0.29).astype(np.float32), ((y - y.mean()) / y.std()).astype(np.float32)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1), nn.Flatten(0))
    return nndoctor.Setup(model=model, train=(x[:480], y[:480]), val=(x[480:], y[480:]), loss=nn.MSELoss(),
                          optimizer=lambda p: torch.optim.SGD(p, lr=lr), batch_size=8)


def test_o407_fires_when_plain_sgd_with_small_batches_keeps_overshooting():
    finding = found(bouncy_sgd(0.2), ["O407"])["O407"]
    assert finding.evidence["median_climb"] >= opt.OSCILLATION_SWING


def test_o407_silent_for_the_same_setup_at_a_calm_lr():
    assert found(bouncy_sgd(0.01), ["O407"]) == {}


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
