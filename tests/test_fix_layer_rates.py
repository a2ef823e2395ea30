"""O412's remedy: the parameter groups of layers that move at another rate get the other groups' LR.

A layer-wise LR gone wrong (a backbone group typed 1e-7 beside a head at 3e-3) leaves the
backbone's weights where they started; fix must find it, give that group the head's LR and
prove the gain in equal-budget trials.
"""
from __future__ import annotations

import pytest
import torch
from torch import nn

import nndoctor
from nndoctor import Finding, Severity
from nndoctor.fix.training_remedies import layer_learning_rates
from nndoctor.fix.transforms import NotApplicable

from conftest import blobs


def tower(features: int, classes: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(features, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, classes))


def grouped(backbone_lr: float, head_lr: float = 3e-3):
    """Adam with the first two Linear layers in one group and the head in another (params by position)."""
    def build(params):
        params = list(params)
        return torch.optim.Adam([{"params": params[:4], "lr": backbone_lr}, {"params": params[4:]}], lr=head_lr)
    return build


def o412(off: dict[str, float], rest: dict[str, float], some: bool = True) -> Finding:
    return Finding("O412", Severity.WARNING, "off", {"per_layer": {**off, **rest}, "too_small": off, "some_layers": some})


def setup_with(optimizer) -> nndoctor.Setup:
    x, y = blobs(n=900, features=16, classes=5)
    return nndoctor.Setup(model=tower(16, 5), train=(x[:700], y[:700]), val=(x[700:], y[700:]),
                          loss=nn.CrossEntropyLoss(), optimizer=optimizer, batch_size=32).resolve()


def test_the_off_groups_get_the_other_groups_lr_and_nothing_else_changes():
    setup = setup_with(grouped(1e-7))
    (candidate,) = layer_learning_rates(setup, o412({"0.weight": 1e-7, "2.weight": 1e-7}, {"4.weight": 3e-3}))
    groups = candidate.setup.optimizer_factory(tower(16, 5).parameters()).param_groups
    assert [g["lr"] for g in groups] == [3e-3, 3e-3]
    assert [len(g["params"]) for g in groups] == [4, 2]  # the user's grouping is kept


def test_not_applicable_where_no_group_separates_the_layers_and_tenfold_when_all_are_off():
    setup = setup_with(lambda p: torch.optim.Adam(p, lr=1e-6))
    with pytest.raises(NotApplicable):  # one group holds the off and the healthy layers
        layer_learning_rates(setup, o412({"0.weight": 1e-7}, {"4.weight": 3e-3}))
    (candidate,) = layer_learning_rates(setup, o412({"0.weight": 1e-7, "4.weight": 1e-7}, {}, some=False))
    assert candidate.setup.optimizer_factory(tower(16, 5).parameters()).param_groups[0]["lr"] == pytest.approx(1e-5)


def test_fix_finds_the_frozen_backbone_group_and_verifies_one_lr():
    report = nndoctor.fix(setup_with(grouped(1e-7)), budget=120, steps=200)
    results = {r["code"]: r for r in report.extra["fix"]["results"]}
    assert "O412" in results, report.codes
    assert results["O412"]["status"] == "verified", results["O412"]
    assert results["O412"]["remedy"]["remedy"] == "layer-learning-rates"


def test_checkup_reads_o412_on_the_mistyped_group_and_nothing_on_equal_groups():
    broken = nndoctor.checkup(setup_with(grouped(1e-7)), budget=60)
    o412 = [f for f in broken.findings if f.code == "O412"]
    assert o412 and o412[0].evidence["some_layers"], broken.verdict()
    assert set(o412[0].evidence["too_small"]) == {"0.weight", "2.weight"}  # the backbone group's layers, not the head
    healthy = nndoctor.checkup(setup_with(grouped(3e-3)), budget=60)
    assert "O412" not in healthy.codes, healthy.verdict()
