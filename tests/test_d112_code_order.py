"""D112 on healthy integer columns (counts, ratings, flags, one-hot) and on codes; the order test against scipy/sklearn."""
from __future__ import annotations

import numpy as np
import pytest
from data_fixtures import mlp, of, raised, run_data_checks
from scipy import stats
from sklearn.isotonic import IsotonicRegression
from torch import nn

import nndoctor
from nndoctor.probes import data_audit as audit
from nndoctor.verdicts.data import (
    CategoricalColumns,
    InputScale,
    categorical_as_numeric,
    mixed_feature_scales,
)


def table(column: np.ndarray, effect: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three continuous columns plus ``column``; regression target = continuous signal + ``effect`` + noise."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3))
    y = x @ np.array([0.8, -0.5, 0.3]) + effect + 0.5 * rng.standard_normal(n)
    wide = np.column_stack([x, (column - column.mean()) / column.std()])
    return wide.astype(np.float32), ((y - y.mean()) / y.std()).astype(np.float32)[:, None]


def regression(x: np.ndarray, y: np.ndarray) -> nndoctor.Setup:
    return nndoctor.Setup(model=mlp(x.shape[1], 1), train=(x, y), loss=nn.MSELoss())


def healthy_columns(n: int = 1500, seed: int = 0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    visits = rng.poisson(3.0, n).astype(float)  # a count: more visits, higher target (saturating)
    rating = rng.integers(1, 6, n).astype(float)  # an ordinal 1-5 rating with a monotone but uneven effect
    rooms = np.clip(np.round(rng.normal(4, 1.5, n)), 1, 8)
    return {
        "count": (visits, 0.6 * np.log1p(visits)),
        "rating": (rating, np.array([0.0, -1.2, -0.4, 0.1, 0.2, 1.5])[rating.astype(int)]),
        "rooms": (rooms, 0.3 * rooms),
        "unrelated code": (rng.integers(0, 10, n).astype(float), np.zeros(n)),  # nothing to test: no verdict
    }


@pytest.mark.parametrize("name", ["count", "rating", "rooms", "unrelated code"])
def test_d112_silent_on_counts_and_ordinal_columns(name):
    column, effect = healthy_columns()[name]
    findings = run_data_checks(regression(*table(column, effect, len(column), seed=1)), "D112")
    assert "D112" not in raised(findings, "info"), [f.message for f in findings]


def test_d112_silent_on_binary_flags_and_one_hot_left_as_0_1():
    rng = np.random.default_rng(3)
    flag = rng.integers(0, 2, 800).astype(float)
    onehot = np.eye(5)[rng.integers(0, 5, 800)]
    x, y = table(flag, 0.8 * flag + onehot @ rng.standard_normal(5), 800, seed=4)
    x = np.column_stack([x[:, :3], flag, onehot]).astype(np.float32)
    assert "D112" not in raised(run_data_checks(regression(x, y), "D112"), "info")


def test_d112_fires_on_a_neighbourhood_code_numbered_unrelated_to_price():
    rng = np.random.default_rng(5)
    hood = rng.integers(0, 6, 1200).astype(float)
    effect = np.array([0.4, -0.6, 1.2, -0.2, 0.8, -0.9])[hood.astype(int)]
    x, y = table(hood, effect, 1200, seed=6)
    (finding,) = [f for f in of(run_data_checks(regression(x, y), "D112"), "D112") if f.severity.value == "warning"]
    assert finding.evidence["columns"] == [3]
    (test,) = finding.evidence["tests"]
    assert test["explained_by_codes"] > test["explained_by_order"] and test["p"] < 1e-6


def test_code_order_matches_an_independent_anova_and_isotonic_fit():
    rng = np.random.default_rng(7)
    n, levels = 900, 7
    codes = rng.integers(0, levels, n).astype(float)
    y = np.array([0.3, -0.5, 0.9, 0.0, -0.8, 0.4, 0.6])[codes.astype(int)] + rng.standard_normal(n)
    order = audit.code_order(0, codes, y[:, None])
    groups = [y[codes == k] for k in range(levels)]
    anova = stats.f_oneway(*groups)
    eta2 = anova.statistic * (levels - 1) / (anova.statistic * (levels - 1) + n - levels)
    assert order.explained_by_codes == pytest.approx(eta2, rel=1e-9)
    # the monotone fit on the raw rows (ties pooled by sklearn), best of both directions
    fits = [IsotonicRegression(increasing=up).fit_transform(codes, y) for up in (True, False)]
    fit = min(fits, key=lambda f: np.sum((y - f) ** 2))
    rss_order, rss_codes = np.sum((y - fit) ** 2), np.sum([np.sum((g - g.mean()) ** 2) for g in groups])
    df1 = levels - len(np.unique(np.round(fit, 9)))
    f = ((rss_order - rss_codes) / df1) / (rss_codes / (n - levels))
    assert order.f == pytest.approx(f, rel=1e-6) and order.df == (df1, n - levels)
    assert order.p == pytest.approx(stats.f.sf(f, df1, n - levels), rel=1e-6)


def test_code_order_of_a_monotone_column_has_nothing_beyond_its_order():
    rng = np.random.default_rng(8)
    count = rng.poisson(2.0, 1000).astype(float)
    order = audit.code_order(0, count, (np.sqrt(count) + rng.standard_normal(1000))[:, None])
    assert order.explained_by_codes - order.explained_by_order < 0.01 and order.p > 0.01


def test_d112_verdict_without_tested_columns_is_silent():
    assert list(categorical_as_numeric(CategoricalColumns(untested=[3]))) == []


def test_target_matrix_drops_one_class_indicator_and_keeps_rows_aligned():
    y = np.array([0, 2, 1, 2, 0])
    assert audit.target_matrix(y, "multiclass").tolist() == [[0, 0], [0, 1], [1, 0], [0, 1], [0, 0]]
    assert audit.target_matrix(np.array([[0.5], [np.nan]]), "regression").shape == (2, 1)
    assert audit.target_matrix(np.ones((3, 4), np.int64), "sequence") is None


# -- D102: features constant in the sample are not a scale -----------------------------------
def test_d102_ignores_a_feature_constant_up_to_float32_rounding():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((512, 4)).astype(np.float32)
    lam = rng.beta(0.4, 0.4, 512).astype(np.float32)
    x[:, 2] = lam * np.float32(-0.0264) + (1 - lam) * np.float32(-0.0264)  # mixup of a never-lit pixel
    m = InputScale(unit="feature", mean=x.mean(0).astype(float), std=x.std(0).astype(float), range=np.ptp(x, 0).astype(float))
    assert list(mixed_feature_scales(m)) == []
    x[:, 2] = 1e-3 * rng.standard_normal(512)  # a real feature in another unit still counts
    m = InputScale(unit="feature", mean=x.mean(0).astype(float), std=x.std(0).astype(float), range=np.ptp(x, 0).astype(float))
    assert [f.code for f in mixed_feature_scales(m)] == ["D102"]


def test_d112_fires_on_a_store_id_with_dozens_of_levels():
    """Store and product ids run to dozens of levels: 40 here, each with its own random effect."""
    rng = np.random.default_rng(11)
    store = rng.integers(0, 40, 2400).astype(float)
    x, y = table(store, rng.normal(0, 0.8, 40)[store.astype(int)], 2400, seed=12)
    (finding,) = [f for f in of(run_data_checks(regression(x, y), "D112"), "D112") if f.severity.value == "warning"]
    assert finding.evidence["columns"] == [3] and finding.evidence["levels"] == {3: 40}


def test_d112_silent_on_a_magnitude_whose_effect_rises_and_falls():
    """An age in years (18..57, all present) with a U-shaped effect: not monotone, but smooth, so a network fed
    the number learns it; the per-year means explain nothing beyond a cubic in the value."""
    rng = np.random.default_rng(13)
    age = rng.integers(18, 58, 2400).astype(float)
    x, y = table(age, 0.004 * (age - 38) ** 2, 2400, seed=14)
    assert "D112" not in raised(run_data_checks(regression(x, y), "D112"), "info")


def test_raw_category_codes_off_scale_are_a_symptom_of_d112_only_in_the_same_columns():
    from nndoctor.diagnosis import rank
    from nndoctor.findings import Finding, Severity

    def findings(off_scale: list[int]) -> list[Finding]:
        return rank([Finding("D101", Severity.WARNING, "off scale", {"unit": "feature", "off_scale_indices": off_scale}),
                     Finding("D112", Severity.WARNING, "codes", {"columns": [6]})])

    linked = {f.code: f.explained_by for f in findings([6])}
    assert linked == {"D112": None, "D101": "D112"}
    assert {f.code: f.explained_by for f in findings([2, 6])}["D101"] is None  # column 2 is off scale on its own


def test_a_column_cleared_by_its_neighbour_order_stays_cleared_however_many_columns_are_tested():
    """The neighbour test clears a column at 1% whatever the table's width: Bonferroni over the columns guards the
    alarm, and applied to the clearing test it would make a wide table of healthy magnitudes raise it."""
    rng = np.random.default_rng(5)
    level = rng.integers(0, 24, 3000)  # a spectral peak's bin; one band of like targets among noise
    labels = np.where(np.abs(level - 8) <= 1, 1, 0)
    labels = np.where(rng.random(3000) < 0.35, rng.integers(0, 2, 3000), labels)
    band = audit.code_order(0, level.astype(float), audit.target_matrix(labels, "multiclass"))
    assert band.p < 1e-6 and band.neighbour_p < 0.01  # measured: no magnitude fit follows it, neighbours do
    for columns in (1, 4, 12):  # the same band measured in every column of a wider table
        tested = CategoricalColumns(orders=[band] * columns)
        assert list(categorical_as_numeric(tested)) == [], columns
