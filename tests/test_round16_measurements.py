"""Measurements that round 16's unseen material showed missing, each checked on its own small case.

* A model written without modules (weights as plain tensors that require a gradient, updated by
  hand) was never seen to train: only ``nn.Parameter`` leaves were taken for parameters. Its plain
  leaves are its parameters when no module parameter is reached.
* A loss that bounces under too large an LR can hide in per-step minibatch noise (small batches
  of an L1 loss) while the validation curve, one fixed set, shows it: O407 reads that curve too,
  and the "overfitting" its last swing looks like (G601) is explained by it.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import nndoctor
from nndoctor.verdicts.optimisation import OscillationEvidence, oscillating_loss
from nndoctor.watch.instrument import instrumented
from nndoctor.watch.run import did_not_train


def _regression(rows: int = 2400) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 6))
    y = np.abs(x[:, 0]) * 2 + x[:, 1] * x[:, 2] + 0.3 * rng.normal(size=rows)
    return torch.tensor(x, dtype=torch.float32), torch.tensor((y - y.mean()) / y.std(), dtype=torch.float32)


def _watched(loop) -> nndoctor.Doctor:
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            loop()
    finally:
        doctor.stop()
    return doctor


def test_a_model_of_plain_tensors_updated_by_hand_is_seen_training():
    x, y = _regression(512)
    torch.manual_seed(0)
    w1, b1 = (torch.randn(6, 32) * 0.4).requires_grad_(), torch.zeros(32, requires_grad=True)
    w2, b2 = (torch.randn(32, 1) * 0.2).requires_grad_(), torch.zeros(1, requires_grad=True)
    start = [p.detach().clone() for p in (w1, b1, w2, b2)]

    def loop() -> None:
        for _ in range(10):
            for i in range(0, 512, 32):
                loss = F.mse_loss((F.relu(x[i:i + 32] @ w1 + b1) @ w2 + b2).squeeze(1), y[i:i + 32])
                loss.backward()
                with torch.no_grad():
                    for p in (w1, b1, w2, b2):
                        p -= 0.05 * p.grad
                        p.grad.zero_()

    doctor = _watched(loop)
    t = doctor.telemetry
    assert t.counters["manual_steps"] == 160 and did_not_train(t) is None
    assert len(t.update_ratios) == 4  # every plain weight's steps measured
    assert all(not torch.equal(a, b) for a, b in zip(start, (w1, b1, w2, b2)))  # and trained as without nndoctor


def test_inputs_made_differentiable_beside_a_module_are_not_parameters():
    """An adversarial step's input requires a gradient; the module's parameters are the model's."""
    x, y = _regression(256)
    torch.manual_seed(0)

    def loop() -> None:
        model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 1))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        for i in range(0, 256, 32):
            xb = x[i:i + 32].clone().requires_grad_()
            optimizer.zero_grad()
            F.mse_loss(model(xb).squeeze(1), y[i:i + 32]).backward()
            optimizer.step()

    doctor = _watched(loop)
    assert set(doctor.telemetry.param_sizes) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert "T504" not in {f.code for f in doctor.findings()}


def _sgd_regression(lr: float) -> nndoctor.Doctor:
    """An MLP on an L1 loss in batches of 32, evaluated on 400 held-out rows after each epoch."""
    x, y = _regression()

    def loop() -> None:
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        for _ in range(20):
            model.train()
            for i in range(0, 2000, 32):
                optimizer.zero_grad()
                F.l1_loss(model(x[i:i + 32]).squeeze(1), y[i:i + 32]).backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                F.l1_loss(model(x[2000:]).squeeze(1), y[2000:])

    return _watched(loop)


def test_a_validation_curve_that_keeps_bouncing_is_oscillation_and_explains_its_last_rise():
    doctor = _sgd_regression(lr=1.0)
    val = doctor.telemetry.val_loss
    climbs = [v / max(min(val[:i]), min(val[i + 1:])) - 1 for i, v in enumerate(val) if 0 < i < len(val) - 1]
    assert np.median(climbs) > 0.1  # independently: the typical evaluation sits a tenth above the lows around it
    findings = doctor.findings()
    roots = [f for f in findings if f.severity.at_least(nndoctor.Severity.WARNING) and f.explained_by is None]
    assert roots[0].code == "O407" and roots[0].evidence["curve"] == "validation"
    assert all(f.explained_by == "O407" for f in findings if f.code == "G601")


def test_a_validation_curve_that_settles_is_not_oscillation():
    assert "O407" not in {f.code for f in _sgd_regression(lr=0.05).findings()}


def test_a_validation_curve_that_swings_on_its_way_down_is_not_oscillation():
    # a dip at every fifth evaluation, the rest climbing back above it: the typical evaluation climbs in both
    falling = [1.0, 0.5, 0.8, 0.75, 0.85, 0.7, 0.35, 0.6, 0.55, 0.65, 0.5, 0.25, 0.45, 0.4, 0.42, 0.2]
    assert not list(oscillating_loss(OscillationEvidence(tuple(falling), "validation", tuple(range(16)))))
    level = [1.0, 0.5, 0.8, 0.75, 0.85, 0.7, 0.45, 0.7, 0.75, 0.8, 0.7, 0.45, 0.75, 0.7, 0.8, 0.72]
    (found,) = oscillating_loss(OscillationEvidence(tuple(level), "validation", tuple(range(16))))
    assert found.code == "O407" and "validation loss" in found.message


def _time_split(trend: float) -> nndoctor.Report:
    """Hourly rows split by time: a clock column (hours since the start) and stationary sensor readings; the target
    follows the readings, plus ``trend`` per 1,000 hours."""
    rng = np.random.default_rng(0)
    hours = np.arange(1200, dtype=np.float32)
    readings = rng.normal(size=(1200, 5)).astype(np.float32)
    y = readings @ np.array([1.0, -0.5, 0.3, 0.0, 0.2], dtype=np.float32) + trend * hours / 1000
    x = np.column_stack([(hours - 600) / 350, readings]).astype(np.float32)
    y = ((y - y[:900].mean()) / y[:900].std()).astype(np.float32)[:, None]
    torch.manual_seed(0)
    setup = nndoctor.Setup(model=nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1)),
                           train=(x[:900], y[:900]), val=(x[900:], y[900:]), loss=nn.MSELoss(),
                           optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=64)
    return nndoctor.checkup(setup, select=["D109"])


def test_a_time_split_that_moves_only_the_inputs_is_information():
    (shift,) = [f for f in _time_split(trend=0.0).findings if f.code == "D109"]
    assert shift.evidence["kind"] == "input" and shift.evidence["shifted"] == [0]  # the clock column
    assert shift.severity == nndoctor.Severity.INFO and "labels are distributed alike" in shift.message


def test_a_split_that_moves_the_targets_too_stays_a_warning():
    found = {f.evidence["kind"]: f.severity for f in _time_split(trend=3.0).findings if f.code == "D109"}
    assert found == {"input": nndoctor.Severity.WARNING, "target": nndoctor.Severity.WARNING}


# -- G602: a stack of Linear layers with no activation between them is one linear map -------------------------
from nndoctor.probes.affine import affine_weight_layers  # noqa: E402


class GeluBlock(nn.Module):
    """A Linear whose activation is a function called in forward (as Hugging Face's BERT calls GELU)."""

    def __init__(self) -> None:
        super().__init__()
        self.a, self.b = nn.Linear(8, 16), nn.Linear(16, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.b(F.gelu(self.a(x)))


def test_the_midpoint_test_tells_an_affine_stack_from_a_network():
    torch.manual_seed(0)
    x = torch.randn(64, 8)
    assert affine_weight_layers(nn.Sequential(nn.Linear(8, 16), nn.Dropout(0.3), nn.Linear(16, 3)), x) == 2
    assert affine_weight_layers(nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.Linear(16, 3)), x) == 2
    assert affine_weight_layers(nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3)), x) == 0
    assert affine_weight_layers(GeluBlock(), x) == 0
    assert affine_weight_layers(nn.Sequential(nn.Linear(8, 3)), x) == 0  # one Linear: a linear model by design
    assert affine_weight_layers(nn.Sequential(nn.Linear(8, 16), nn.Linear(16, 3)), torch.randint(0, 5, (64, 8))) == 0


def _rings(activation: bool) -> nndoctor.Setup:
    """Two classes on concentric rings in 2 of 40 dimensions: no linear map separates them, yet one separates any
    32 rows (40 inputs), so the single-batch test cannot tell a linear stack from a network."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1600, 40)).astype(np.float32)
    y = (np.linalg.norm(x[:, :2], axis=1) > 1.18).astype(np.int64)
    torch.manual_seed(0)
    layers = [nn.Linear(40, 64), nn.Dropout(0.1)] + ([nn.ReLU()] if activation else []) + [nn.Linear(64, 2)]
    return nndoctor.Setup(model=nn.Sequential(*layers), train=(x[:1200], y[:1200]), val=(x[1200:], y[1200:]),
                          loss=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.Adam(p, lr=3e-3), batch_size=64)


def test_a_network_without_its_activation_is_underfitting_by_construction():
    (found,) = [f for f in nndoctor.checkup(_rings(activation=False), select=["G602"]).findings if f.code == "G602"]
    assert found.severity == nndoctor.Severity.ERROR and found.evidence["affine_layers"] == 2


def test_the_same_network_with_its_activation_is_quiet():
    assert "G602" not in nndoctor.checkup(_rings(activation=True), select=["G602"]).codes
