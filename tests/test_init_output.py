"""Which init fault is the root: the weight scale or the biases (M202/M203), the output bias or its gain (M210/L307).

The rules fire on broken setups, stay silent on healthy ones, and their decisive measurements
(the weights' gain, the loss with the average output moved onto the prior) are checked
against the same quantity computed here by hand.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from models import examine, mlp, tabular
from torch import nn
from torch.nn import functional as F

import nndoctor
from nndoctor import Severity
from nndoctor.diagnosis import rank
from nndoctor.findings import Finding


def by_code(findings: list[Finding]) -> dict[str, Finding]:
    return {f.code: f for f in findings}


# -- M202 / M203: tiny weights leave each unit's sign to its bias ------------------------------
def tiny_init_stack(std: float) -> nn.Sequential:
    model = mlp(10, 4, hidden=64, depth=4)
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, std=std)
    return model


def test_weights_too_small_to_move_units_off_their_bias_are_the_root_of_the_dead_units():
    model = tiny_init_stack(0.01)
    x, y = tabular(n=256)
    found = rank(examine(nndoctor.Setup(model=model, train=(x, y), loss=nn.CrossEntropyLoss(), batch_size=32), "M202", "M203"))
    codes = by_code(found)
    assert {"M202", "M203"} <= set(codes)
    gains = sorted(np.std(layer.weight.detach().numpy(), ddof=1) * math.sqrt(layer.weight.shape[1])
                   for layer in model if isinstance(layer, nn.Linear))
    assert codes["M202"].evidence["weight_gain_per_layer"] == pytest.approx(gains[len(gains) // 2], rel=1e-4)
    assert codes["M203"].explained_by == "M202" and codes["M202"].explained_by is None
    assert found[0].code == "M202"


@pytest.mark.parametrize("gain, root", [(0.08, "M202"), (0.58, "M203"), (None, "M203")])
def test_the_weights_gain_decides_between_init_scale_and_dead_units(gain, root):
    drift = Finding("M202", Severity.WARNING, "drift", evidence={"weight_gain_per_layer": gain} if gain else {})
    dead = Finding("M203", Severity.WARNING, "dead")
    ordered = rank([drift, dead])
    assert ordered[0].code == root and ordered[0].explained_by is None
    assert ordered[1].explained_by == root


def test_a_default_init_stack_reports_neither():
    x, y = tabular(n=256)
    setup = nndoctor.Setup(model=mlp(10, 4, hidden=64, depth=4), train=(x, y), loss=nn.CrossEntropyLoss(), batch_size=32)
    assert not {"M202", "M203"} & {f.code for f in examine(setup, "M202", "M203")}


# -- M210 / L307: a bias off the prior against an output scale off the loss's range -------------
class Scaled(nn.Module):
    """Multiplies the wrapped model's logits by ``gain``."""

    def __init__(self, inner: nn.Module, gain: float):
        super().__init__()
        self.inner, self.gain = inner, gain

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x) * self.gain


def classification(model: nn.Module) -> nndoctor.Setup:
    x, y = tabular(n=256)  # 8 sample batches of 32: the probe sees every sample
    return nndoctor.Setup(model=model, train=(x, y), loss=nn.CrossEntropyLoss(), batch_size=32)


def shifted_by_hand(model: nn.Module) -> float:
    """Cross-entropy with each class's average logit replaced by the log class prior."""
    x, y = tabular(n=256)
    with torch.no_grad():
        out = model(torch.tensor(x, dtype=torch.float32))
    labels = torch.tensor(y).long()
    log_prior = torch.log(torch.bincount(labels, minlength=out.shape[1]).float() / len(labels))
    return float(F.cross_entropy(out - out.mean(0, keepdim=True) + log_prior, labels))


def test_a_bias_off_the_prior_is_m210_and_explains_the_initial_loss():
    model = mlp(10, 4)
    with torch.no_grad():
        model[-1].bias.copy_(torch.tensor([-6.0, -2.0, 2.0, 6.0]))
    found = by_code(examine(classification(model), "M210", "L307"))
    assert "M210" in found and found["L307"].explained_by == "M210"
    assert found["M210"].evidence["shifted_loss"] == pytest.approx(shifted_by_hand(model), rel=1e-3)
    assert found["M210"].evidence["shifted_loss"] < found["M210"].evidence["offset_limit_loss"]


def test_logits_at_a_wrong_gain_are_l307_not_a_bias_problem():
    model = mlp(10, 4)
    with torch.no_grad():
        model[-1].bias.copy_(torch.tensor([-0.3, -0.1, 0.1, 0.3]))
    scaled = Scaled(model, 40.0)
    found = by_code(examine(classification(scaled), "M210", "L307"))
    assert "M210" not in found
    assert "L307" in found and found["L307"].explained_by is None
    # what a new bias alone would leave: still far above the prior's loss, so the bias is not the fix
    _, y = tabular(n=256)
    prior_loss = -float(np.mean(np.log(np.bincount(y) / len(y))[y]))
    assert shifted_by_hand(scaled) > 2 * prior_loss


def test_a_default_output_layer_reports_neither():
    assert not {"M210", "L307"} & {f.code for f in examine(classification(mlp(10, 4)), "M210", "L307")}


@pytest.mark.parametrize("symptom", ["O404", "O403"])
def test_an_output_bias_off_the_targets_explains_the_curves_it_distorts(symptom):
    curve = Finding(symptom, Severity.ERROR, "curve")
    bias = Finding("M210", Severity.WARNING, "bias")
    ordered = rank([curve, bias])
    assert ordered[0] is bias and curve.explained_by == "M210" and bias.severity == Severity.ERROR


def test_class_sorted_batches_give_no_prior_so_m210_stays_silent_and_d115_speaks():
    from torch.utils.data import DataLoader, TensorDataset

    x, y = tabular(n=1024)
    order = np.argsort(y, kind="stable")
    data = TensorDataset(torch.tensor(x[order]), torch.tensor(y[order]))
    # the first 8 batches of 32 hold class 0 only: their "prior" is one class at probability 1
    assert set(y[order][: 8 * 32]) == {0}
    setup = nndoctor.Setup(model=mlp(10, 4), train=DataLoader(data, batch_size=32, shuffle=False), loss=nn.CrossEntropyLoss())
    codes = {f.code for f in examine(setup, "M210", "D115")}
    assert codes == {"D115"}


@pytest.mark.parametrize("weighted", [False, True])
def test_the_best_constant_of_a_class_weighted_loss_matches_a_numerical_optimum(weighted):
    from scipy.optimize import minimize

    from nndoctor.probes.init_outputs import constant_predictions

    labels = torch.tensor([0] * 90 + [1] * 7 + [2] * 3)
    weight = torch.tensor([1.0, 10.0, 30.0]) if weighted else None
    loss = nn.CrossEntropyLoss(weight=weight)
    outputs = torch.zeros(len(labels), 3)
    best = min(float(loss(p, labels)) for p in constant_predictions("class_logits", outputs, labels, 1, loss))

    def at(logits: np.ndarray) -> float:
        return float(loss(torch.tensor(logits, dtype=torch.float32).expand(len(labels), 3), labels))

    optimum = minimize(at, np.zeros(3), method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 4000}).fun
    assert best == pytest.approx(optimum, abs=1e-4)


def test_the_best_constant_of_bce_with_pos_weight_matches_a_numerical_optimum():
    from scipy.optimize import minimize_scalar

    from nndoctor.probes.init_outputs import constant_predictions

    targets = torch.tensor([[1.0]] * 5 + [[0.0]] * 95)
    loss = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([19.0]))
    outputs = torch.zeros(100, 1)
    best = min(float(loss(p, targets)) for p in constant_predictions("element_logits", outputs, targets, 1, loss))
    optimum = minimize_scalar(lambda z: float(loss(torch.full((100, 1), z), targets)), bounds=(-10, 10), method="bounded").fun
    assert best == pytest.approx(optimum, abs=1e-5)


@pytest.mark.parametrize("loss", [nn.CrossEntropyLoss(weight=torch.tensor([1.0, 10.0, 30.0])),
                                  nn.CrossEntropyLoss(label_smoothing=0.9)])
def test_the_probe_scores_the_best_constant_with_the_users_own_loss(loss):
    """A class-weighted loss prefers the re-weighted prior; a heavily smoothed one is best served by no prior at all.

    Either way the probe's constant loss is the numerical optimum over constant logits, never above the chance loss.
    """
    from scipy.optimize import minimize

    from nndoctor.checks.base import Context
    from nndoctor.probes.init_outputs import init_outputs

    x, _ = tabular(n=256)  # exactly the 8 sample batches, so the sample is the whole set
    y = np.repeat([0, 1, 2], [230, 18, 8])[np.random.default_rng(0).permutation(256)]
    setup = nndoctor.Setup(model=mlp(10, 3), train=(x, y), loss=loss, batch_size=32)
    setup.resolve()
    probe = init_outputs(Context(setup=setup, deadline=1e18))
    labels = torch.from_numpy(y)

    def at(logits: np.ndarray) -> float:
        return float(loss(torch.tensor(logits, dtype=torch.float32).expand(len(labels), 3), labels))

    optimum = minimize(at, np.zeros(3), method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 4000}).fun
    assert probe.constant_loss == pytest.approx(optimum, abs=2e-3)
    assert probe.constant_loss <= probe.chance_loss + 1e-6
