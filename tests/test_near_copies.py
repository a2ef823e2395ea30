"""Near copies (D107/D108): a neighbour closer than the local density allows, in the sample's intrinsic dimension."""
from __future__ import annotations

import numpy as np
import pytest
from data_fixtures import mlp, of, run_data_checks
from torch import nn

import nndoctor
from nndoctor.probes.data_duplicates import intrinsic_dimension


def setup(train: np.ndarray, val: np.ndarray | None = None) -> nndoctor.Setup:
    y = np.zeros(len(train), np.float32)[:, None]
    v = (val.astype(np.float32), np.zeros(len(val), np.float32)[:, None]) if val is not None else None
    return nndoctor.Setup(model=mlp(train.shape[1], 1), train=(train.astype(np.float32), y), val=v, loss=nn.MSELoss())


def test_intrinsic_dimension_of_a_plane_in_20_dimensions():
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(0)
    plane = rng.random((2000, 2)) @ rng.standard_normal((2, 20))
    distances = NearestNeighbors(n_neighbors=11).fit(plane).kneighbors(plane)[0][:, 1:]
    assert intrinsic_dimension(distances) == pytest.approx(2.0, abs=0.3)


def test_d108_noisy_copies_across_the_split_in_many_dimensions():
    rng = np.random.default_rng(1)
    x = rng.poisson(3.0, (1000, 20)).astype(float)  # word counts, like make_multilabel_classification
    doubled = np.concatenate([x, x + rng.normal(0, 0.05, x.shape)])
    order = rng.permutation(len(doubled))
    train, val = doubled[order[:1600]], doubled[order[1600:]]
    (finding,) = of(run_data_checks(setup(train, val), "D108"), "D108")
    copied = np.isin(order[1600:] % 1000, order[:1600] % 1000).mean()  # val rows whose twin is in training
    assert finding.severity.value == "warning" and finding.evidence["near_share"] == pytest.approx(copied, abs=0.03)


def test_d107_d108_silent_on_a_dense_low_dimensional_sample():
    rng = np.random.default_rng(2)
    train, val = rng.random((4000, 3)), rng.random((800, 3))  # close neighbours by density, none copied
    findings = run_data_checks(setup(train, val), "D107", "D108")
    assert not [f for f in findings if f.code in ("D107", "D108") and f.severity.value == "warning"]
    assert all(f.evidence.get("near_share", 0) <= 0.01 for f in of(findings, "D108"))


def test_d108_one_coincidental_copy_in_a_small_validation_split_is_advice():
    """Coarse measurements (one decimal, like iris) can repeat a row across the split by chance. One copy among 45
    validation rows moves a score on them by 2.2%, inside its 7.5% standard error; 12 copies do not."""
    rng = np.random.default_rng(4)
    x = np.round(rng.normal(0, 1, (150, 4)), 1)
    train, val = x[:105], x[105:].copy()
    val[0] = train[7]
    (one,) = of(run_data_checks(setup(train, val), "D108"), "D108")
    assert one.severity.value == "info" and one.evidence["exact_in_train"] == 1 and "standard error" in one.message
    val[:12] = train[:12]
    (twelve,) = of(run_data_checks(setup(train, val), "D108"), "D108")
    assert twelve.severity.value == "warning" and twelve.evidence["exact_in_train"] == 12


def test_d107_d108_silent_where_some_records_lie_in_fewer_dimensions():
    """Sensor records with most channels switched off (a sixth of them, reading a fixed fault value) lie on a thinner
    set than the rest: against the majority's dimension their ordinary neighbours would look like copies; in their
    own, none is."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(1500, 30))
    off = rng.random(1500) < 1 / 6
    x[off, 2:] = -3.0  # the switched-off channels read their fault value: two channels vary
    findings = run_data_checks(setup(x[:1200], x[1200:]), "D107", "D108")
    assert not [f for f in findings if f.code in ("D107", "D108") and f.severity.value == "warning"]


def test_d108_copies_across_the_split_of_a_sample_mixing_dimensions():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(1500, 30))
    off = rng.random(1500) < 1 / 6
    x[off, 2:] = -3.0
    train, val = x[:1200], x[1200:].copy()
    val[:60] = train[:60] + rng.normal(0, 0.02, (60, 30))  # a fifth of validation copied from training, noisily
    (finding,) = of(run_data_checks(setup(train, val), "D108"), "D108")
    full = int((~off[:60]).sum())  # copies of full-dimensional rows: 0.02 of noise is far inside their spacing
    assert finding.severity.value == "warning" and full / 300 <= finding.evidence["near_share"] <= 60 / 300
