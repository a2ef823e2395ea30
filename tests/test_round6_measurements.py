"""Measurements and rankings fixed during the sixth out-of-sample round (benchmarks/outofsample/round6).

Each test builds the situation from the verdicts themselves and checks it both ways.
"""
from __future__ import annotations

import numpy as np

from nndoctor import Severity
from nndoctor.diagnosis import rank
from nndoctor.findings import Finding
from nndoctor.verdicts.data import CategoricalColumns, FeatureSpread, categorical_as_numeric, constant_feature
from nndoctor.verdicts.loop import Seeding, unseeded


def test_findings_that_cost_the_run_nothing_rank_after_those_that_do():
    # pixel columns that are always 0 (finite), and rarely lit ones that standardise to two values
    spread = FeatureSpread(mean=np.array([0.0, 0.3, 0.1]), std=np.array([0.0, 1.0, 1.0]))
    constant = list(constant_feature(spread))
    binary = list(categorical_as_numeric(CategoricalColumns(single=[2], two_values={2: (-0.2, 5.0)})))
    seed = list(unseeded(Seeding(seeded=False, steps=500)))
    assert [f.severity for f in constant + binary + seed] == [Severity.INFO] * 3
    ordered = [f.code for f in rank(constant + binary + seed)]
    assert ordered == ["T507", "D103", "D112"]  # unreproducible, then the inert data notes (data family first)


def test_a_constant_feature_that_became_nan_is_not_inert():
    spread = FeatureSpread(mean=np.array([0.0, 0.3]), std=np.array([0.0, 1.0]), finite_share=np.array([0.0, 1.0]))
    void = [f for f in constant_feature(spread) if f.severity is Severity.ERROR]
    assert void and not void[0].evidence.get("inert")
    undertrained = Finding("G605", Severity.INFO, "still falling", {})
    assert [f.code for f in rank([undertrained, *void])] == ["D103", "G605"]


def test_tensors_the_loss_needs_but_no_step_updates_explain_what_the_curves_show():
    oscillating = Finding("O407", Severity.ERROR, "the loss bounced", {})
    frozen_in_graph = Finding("T504", Severity.WARNING, "6 tensors never changed",
                              {"unchanged": ["decoder.0.weight"], "receive_gradients": ["decoder.0.weight"]})
    ordered = rank([oscillating, frozen_in_graph])
    assert [f.code for f in ordered] == ["T504", "O407"] and ordered[1].explained_by == "T504"
    assert ordered[0].severity is Severity.ERROR  # a root carries the severity of what it explains
    outside_graph = Finding("T504", Severity.WARNING, "6 tensors never changed", {"unchanged": ["aux.weight"]})
    ordered = rank([Finding("O407", Severity.ERROR, "the loss bounced", {}), outside_graph])
    assert [f.code for f in ordered] == ["O407", "T504"] and ordered[0].explained_by is None


def test_a_per_step_loss_that_bounces_under_frozen_weights_is_its_batches_not_overshoot():
    from nndoctor.verdicts.optimisation import OscillationEvidence, oscillating_loss

    rng = np.random.default_rng(0)
    losses = 1.0 + 0.05 * rng.standard_normal(600)
    for at in (100, 220, 350, 480):  # a few batches whose reconstruction error is three times the rest
        losses[at] = 3.2
    steps = tuple(range(600))
    moving = list(oscillating_loss(OscillationEvidence(tuple(losses), "per-step", steps, update_ratio=1e-3)))
    assert [f.code for f in moving] == ["O407"]
    frozen = list(oscillating_loss(OscillationEvidence(tuple(losses), "per-step", steps, update_ratio=4e-6)))
    assert frozen == []
