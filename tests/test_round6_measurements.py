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
