"""D-family checks: each rule fires on a broken setup and stays quiet on healthy ones."""
from __future__ import annotations

import time

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, WeightedRandomSampler

import nndoctor
from nndoctor import Severity
from nndoctor.demo import demo_setup
from nndoctor.diagnosis import rank
from nndoctor.probes import data_audit

from conftest import blobs
from data_fixtures import D_CODES, digit_images, mlp, of, raised, regression_data, run_data_checks, small_cnn


def classification(x: np.ndarray, y: np.ndarray, val: tuple | None = None, **kwargs) -> nndoctor.Setup:
    classes = int(max(y.max(), (val[1].max() if val is not None else 0))) + 1
    return nndoctor.Setup(model=mlp(x.shape[1], classes), train=(x, y), val=val, loss=nn.CrossEntropyLoss(), **kwargs)


def split(x: np.ndarray, y: np.ndarray, at: int = 480) -> tuple:
    return (x[:at], y[:at]), (x[at:], y[at:])


# -- healthy setups: no D code reaches warning ----------------------------------------------
def healthy_tabular() -> nndoctor.Setup:
    x, y = blobs()
    train, val = split(x, y)
    return classification(*train, val=val)


def healthy_binary() -> nndoctor.Setup:
    x, y = blobs(classes=2, seed=3)
    train, val = split(x, y[:, None].astype(np.float32))
    return nndoctor.Setup(model=mlp(10, 1), train=train, val=val, loss=nn.BCEWithLogitsLoss())


def healthy_regression() -> nndoctor.Setup:
    x, y = regression_data()
    train, val = split(x, y)
    return nndoctor.Setup(model=mlp(8, 1), train=train, val=val, loss=nn.MSELoss())


def healthy_images() -> nndoctor.Setup:
    x, y = digit_images()
    train, val = split(x, y)
    return nndoctor.Setup(model=small_cnn(1, 10), train=train, val=val, loss=nn.CrossEntropyLoss())


@pytest.mark.parametrize("make", [healthy_tabular, healthy_binary, healthy_regression, healthy_images,
                                  lambda: demo_setup(healthy=True)],
                         ids=["tabular", "binary", "regression", "images", "demo"])
def test_healthy_setups_raise_no_data_warning(make):
    findings = run_data_checks(make())
    assert raised(findings) == set(), [f.message for f in findings]


# -- D101 / D102 / D103: scale ----------------------------------------------------------
def test_d101_raw_pixels_fire_with_their_statistics():
    x, y = digit_images()
    raw = x * 255.0
    train, val = split(raw, y)
    findings = run_data_checks(nndoctor.Setup(model=small_cnn(1, 10), train=train, val=val), "D101")
    (finding,) = of(findings, "D101")
    assert finding.severity.value == "warning"
    assert finding.evidence["unit"] == "channel"
    assert finding.evidence["mean"] == pytest.approx(float(train[0].mean()), rel=1e-4)
    assert finding.evidence["std"] == pytest.approx(float(train[0].std()), rel=1e-4)
    assert finding.evidence["max_abs"] == pytest.approx(float(np.abs(train[0]).max()))


def test_d101_tabular_offset_fires_and_names_the_feature():
    x, y = blobs()
    x[:, 4] = x[:, 4] * 0.5 + 2000.0  # a 'year' column
    findings = run_data_checks(classification(*split(x, y)[0]), "D101")
    (finding,) = of(findings, "D101")
    assert finding.evidence["off_scale_indices"] == [4]


def test_d101_d102_silent_when_the_first_layer_is_a_batchnorm_that_standardises_them():
    x, y = blobs()
    x[:, 4] = x[:, 4] * 0.5 + 2000.0
    x[:, 2] *= 1e-3
    train = split(x, y)[0]
    assert {"D101", "D102"} <= raised(run_data_checks(classification(*train), "D101", "D102"))
    model = nn.Sequential(nn.BatchNorm1d(x.shape[1]), mlp(x.shape[1], 3))
    setup = nndoctor.Setup(model=model, train=train, loss=nn.CrossEntropyLoss())
    assert not {"D101", "D102"} & raised(run_data_checks(setup, "D101", "D102"), "info")


def test_d102_fires_on_tiny_feature_without_d101():
    x, y = blobs()
    x[:, 2] *= 1e-3
    findings = run_data_checks(classification(*split(x, y)[0]), "D101", "D102")
    assert "D102" in raised(findings) and "D101" not in raised(findings, "info")
    (finding,) = of(findings, "D102")
    assert finding.evidence["smallest"]["index"] == 2
    assert finding.evidence["ratio"] == pytest.approx(x[:480].std(0).max() / x[:480, 2].std(), rel=1e-3)


def test_d102_silent_when_a_rare_feature_shares_the_scale():
    x, y = blobs(n=1200)
    rare = np.zeros(len(x), dtype=np.float32)
    rare[[10, 20]] = 0.2, -0.1  # non-zero on two rows (an edge pixel): a tiny std, yet no other unit
    wide = np.concatenate([x, rare[:, None]], axis=1)
    stds = wide.std(0)
    assert stds.max() / stds.min() > 100
    assert "D102" not in raised(run_data_checks(classification(wide, y), "D102"), "info")


def test_d102_units_apart_fire_with_both_ratios():
    x, y = blobs()
    x[:, 0] *= 1000.0
    x[:, 5] *= 0.01
    (finding,) = of(run_data_checks(classification(x, y), "D102"), "D102")
    assert finding.evidence["ratio"] > 1e4 and finding.evidence["range_ratio"] > 1e4


def test_d103_finite_constant_column_is_info():
    x, y = blobs()
    x[:, 7] = 5.0
    findings = run_data_checks(classification(*split(x, y)[0]), "D103")
    (finding,) = of(findings, "D103")
    assert finding.severity.value == "info" and finding.evidence["features"] == [7]


def test_d103_standardised_constant_column_is_the_root_of_its_nans():
    x, y = blobs()
    x[:, 7] = 5.0
    with np.errstate(invalid="ignore", divide="ignore"):
        x = (x - x.mean(0)) / x.std(0)
    findings = run_data_checks(classification(x, y), "D103", "D104")
    (void,) = [f for f in of(findings, "D103") if f.severity.value == "error"]
    assert void.evidence["void_features"] == [7]
    (nonfinite,) = of(findings, "D104")
    assert nonfinite.evidence["whole_columns"] and nonfinite.evidence["nonfinite_columns"] == [7]
    ordered = rank(findings)
    assert ordered[0].code == "D103" and ordered[1].explained_by == "D103"


def _sensor_sequences(n: int = 600, length: int = 24, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(batch, time, feature) sequences of 3 standardised channels and a target from their last values."""
    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.standard_normal((n, length, 3)), axis=1) / np.sqrt(length)
    y = x[:, -1].sum(axis=1)
    return ((x - x.mean(axis=(0, 1))) / x.std(axis=(0, 1))).astype(np.float32), y.astype(np.float32)


def _sequence_setup(x: np.ndarray, y: np.ndarray) -> nndoctor.Setup:
    class Last(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn, self.head = nn.GRU(x.shape[-1], 16, batch_first=True), nn.Linear(16, 1)

        def forward(self, inputs: torch.Tensor) -> torch.Tensor:
            return self.head(self.rnn(inputs)[0][:, -1]).squeeze(-1)

    return nndoctor.Setup(model=Last(), train=(x[:480], y[:480]), val=(x[480:], y[480:]), loss=nn.MSELoss())


def test_sequence_features_standardised_per_feature_are_silent():
    findings = run_data_checks(_sequence_setup(*_sensor_sequences()), "D101", "D102", "D103", "D104")
    assert raised(findings, "info") == set(), [f.message for f in findings]


def test_d102_sequence_channels_in_different_units_under_one_global_scale():
    x, y = _sensor_sequences()
    raw = x * np.array([40.0, 1.0, 0.02], dtype=np.float32)
    x = raw / raw.std()  # one scale for all channels
    findings = run_data_checks(_sequence_setup(x, y), "D101", "D102")
    (finding,) = of(findings, "D102")
    stds = x[:480].reshape(-1, 3).std(axis=0)  # the training split
    assert finding.evidence["ratio"] == pytest.approx(stds.max() / stds.min(), rel=1e-3)
    ordered = [f for f in rank(findings) if f.severity.at_least(Severity.WARNING)]
    assert ordered[0].code == "D102"


def test_d103_standardised_constant_sequence_channel_is_the_root_of_its_nans():
    x, y = _sensor_sequences()
    x = np.concatenate([x, np.full(x.shape[:2] + (1,), 7.0, dtype=np.float32)], axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = (x - x.mean(axis=(0, 1))) / x.std(axis=(0, 1))
    findings = run_data_checks(_sequence_setup(x, y), "D103", "D104")
    (void,) = [f for f in of(findings, "D103") if f.severity.value == "error"]
    assert void.evidence["void_features"] == [3]
    ordered = rank(findings)
    assert ordered[0].code == "D103" and all(f.explained_by == "D103" for f in ordered if f.code == "D104")


def test_d104_scattered_nans_are_not_a_constant_column():
    x, y = blobs()
    x[::7, 2] = np.nan
    findings = run_data_checks(classification(x, y), "D103", "D104")
    assert not of(findings, "D103")
    (finding,) = of(findings, "D104")
    assert not finding.evidence["whole_columns"]
    assert rank(findings)[0].explained_by is None


# -- D104 / D105: values ----------------------------------------------------------------
def test_d104_counts_nan_and_inf_and_finds_the_first_batch():
    x, y = blobs()
    x[[100, 250], 3] = np.nan
    x[300, 0] = np.inf
    loader = DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=32, shuffle=False)
    findings = run_data_checks(nndoctor.Setup(model=mlp(10, 3), train=loader, loss=nn.CrossEntropyLoss()), "D104")
    (finding,) = of(findings, "D104")
    assert finding.severity.value == "error"
    assert (finding.evidence["input_nan"], finding.evidence["input_inf"]) == (2, 1)
    assert finding.evidence["first_row"] == 100
    assert finding.evidence["first_batch"] == 100 // 32


def test_d104_non_finite_regression_targets():
    x, y = regression_data()
    y[42, 0] = np.nan
    findings = run_data_checks(nndoctor.Setup(model=mlp(8, 1), train=(x, y), loss=nn.MSELoss()), "D104")
    (finding,) = of(findings, "D104")
    assert finding.evidence["target_nan"] == 1 and finding.evidence["first_row"] == 42


def test_d105_house_price_targets():
    x, y = regression_data()
    prices = y * 80_000.0 + 350_000.0
    findings = run_data_checks(nndoctor.Setup(model=mlp(8, 1), train=(x, prices), loss=nn.MSELoss()), "D105")
    (finding,) = of(findings, "D105")
    assert finding.evidence["mean"][0] == pytest.approx(float(prices.mean()), rel=1e-4)
    assert finding.evidence["spread_off_scale"] is True


def test_d105_offset_only_targets_say_so():
    x, y = regression_data()
    shifted = y * 0.5 + 6.0
    (finding,) = of(run_data_checks(nndoctor.Setup(model=mlp(8, 1), train=(x, shifted), loss=nn.MSELoss()), "D105"), "D105")
    assert finding.evidence["spread_off_scale"] is False


# -- D106 / D115: labels ----------------------------------------------------------------
def test_d106_majority_class_share_matches_counts():
    x, y = blobs(n=1000)
    keep = np.concatenate([np.flatnonzero(y == 0), np.flatnonzero(y == 1)[:30], np.flatnonzero(y == 2)[:30]])
    findings = run_data_checks(classification(x[keep], y[keep]), "D106")
    (finding,) = of(findings, "D106")
    assert finding.severity.value == "warning"
    assert finding.evidence["majority_share"] == pytest.approx(np.mean(y[keep] == 0))


def test_d106_mild_imbalance_is_not_a_warning():
    x, y = blobs(n=1000)
    keep = np.concatenate([np.flatnonzero(y == 0), np.flatnonzero(y == 1), np.flatnonzero(y == 2)[:200]])
    assert "D106" not in raised(run_data_checks(classification(x[keep], y[keep]), "D106"))


def test_d106_imbalance_handled_on_purpose_is_info_not_a_warning():
    x, y = blobs(n=1000)
    keep = np.concatenate([np.flatnonzero(y == 0), np.flatnonzero(y == 1)[:30], np.flatnonzero(y == 2)[:30]])
    x, y = x[keep], y[keep]
    weights = torch.tensor(len(y) / (3 * np.bincount(y)), dtype=torch.float32)
    weighted = nndoctor.Setup(model=mlp(x.shape[1], 3), train=(x, y), loss=nn.CrossEntropyLoss(weight=weights))
    (finding,) = of(run_data_checks(weighted, "D106"), "D106")
    assert finding.severity.value == "info" and "class weights" in finding.evidence["handled_by"]
    sample_weights = (1.0 / np.bincount(y))[y]
    sampler = WeightedRandomSampler(sample_weights.tolist(), num_samples=len(y))
    loader = DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=32, sampler=sampler)
    resampled = nndoctor.Setup(model=mlp(x.shape[1], 3), train=loader, loss=nn.CrossEntropyLoss())
    (finding,) = of(run_data_checks(resampled, "D106"), "D106")
    assert finding.severity.value == "info" and finding.evidence["handled_by"] == "a WeightedRandomSampler"


def test_d106_class_weights_set_to_the_shares_deepen_the_imbalance_and_are_no_compensation():
    x, y = blobs(n=1000)
    keep = np.concatenate([np.flatnonzero(y == 0), np.flatnonzero(y == 1)[:30], np.flatnonzero(y == 2)[:30]])
    x, y = x[keep], y[keep]
    counts = np.bincount(y)
    shares = torch.tensor(counts / counts.sum(), dtype=torch.float32)  # a slip: the shares, not their inverse
    backwards = nndoctor.Setup(model=mlp(x.shape[1], 3), train=(x, y), loss=nn.CrossEntropyLoss(weight=shares))
    (finding,) = of(run_data_checks(backwards, "D106"), "D106")
    rarest, largest = int(np.argmin(counts)), int(np.argmax(counts))
    assert finding.severity.value == "warning" and finding.evidence["handled_by"] is None
    assert finding.evidence["loss_weight_rare_to_common"] == pytest.approx(counts[rarest] / counts[largest], rel=1e-6)
    assert "deepen the imbalance" in finding.message
    x2, y2 = make_binary(positives=0.05)
    for pos_weight, handled in ((19.0, True), (0.05, False)):
        binary = nndoctor.Setup(model=nn.Sequential(mlp(x2.shape[1], 1), nn.Flatten(0)), train=(x2, y2),
                                loss=nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight)))
        (finding,) = of(run_data_checks(binary, "D106"), "D106")
        assert (finding.evidence["handled_by"] is not None) == handled
        assert (finding.evidence["loss_weight_rare_to_common"] is None) == handled


def make_binary(positives: float) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=1500, n_features=12, weights=[1 - positives, positives], class_sep=1.2, random_state=2)
    return ((x - x.mean(0)) / x.std(0)).astype(np.float32), y.astype(np.float32)


def test_d106_output_bias_at_the_prior_is_info_and_a_default_bias_is_not():
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=1500, n_features=12, weights=[0.95, 0.05], class_sep=1.2, random_state=2)
    x, y = ((x - x.mean(0)) / x.std(0)).astype(np.float32), y.astype(np.float32)

    def setup(bias: float | None) -> nndoctor.Setup:
        model = mlp(12, 1)
        if bias is not None:
            nn.init.constant_(model[-1].bias, bias)
        return nndoctor.Setup(model=nn.Sequential(model, nn.Flatten(0)), train=(x, y), loss=nn.BCEWithLogitsLoss())

    prior = float(y.mean())
    (handled,) = of(run_data_checks(setup(np.log(prior / (1 - prior))), "D106"), "D106")
    assert handled.severity.value == "info" and "output bias" in handled.evidence["handled_by"]
    (default,) = of(run_data_checks(setup(None), "D106"), "D106")
    assert default.severity.value == "warning" and default.evidence["handled_by"] is None


def test_d115_class_sorted_loader():
    x, y = blobs()
    order = np.argsort(y, kind="stable")
    loader = DataLoader(TensorDataset(torch.from_numpy(x[order]), torch.from_numpy(y[order])), batch_size=32)
    findings = run_data_checks(nndoctor.Setup(model=mlp(10, 3), train=loader, loss=nn.CrossEntropyLoss()), "D115")
    (finding,) = of(findings, "D115")
    from scipy.stats import entropy

    first = y[order][: 8 * 32].reshape(8, 32)
    expected = np.mean([entropy(np.bincount(batch)) for batch in first])
    assert finding.evidence["mean_entropy"] == pytest.approx(expected)
    assert finding.evidence["runs"] == len(np.unique(first))


def test_d115_sorted_regression_targets():
    x, y = regression_data()
    order = np.argsort(y[:, 0])
    loader = DataLoader(TensorDataset(torch.from_numpy(x[order]), torch.from_numpy(y[order])), batch_size=32)
    findings = run_data_checks(nndoctor.Setup(model=mlp(8, 1), train=loader, loss=nn.MSELoss()), "D115")
    (finding,) = of(findings, "D115")
    assert finding.evidence["spearman"] == pytest.approx(1.0)


# -- D107 / D108 / D109: duplicates, leakage, shift -----------------------------------------
def test_d107_doubled_training_set():
    x, y = blobs(n=300)
    findings = run_data_checks(classification(np.concatenate([x, x]), np.concatenate([y, y])), "D107")
    (finding,) = of(findings, "D107")
    assert finding.severity.value == "warning" and finding.evidence["exact_share"] == 1.0


def test_d107_near_copies_are_found():
    x, y = blobs(n=400)
    noisy = x[:100] + np.random.default_rng(0).normal(0, 1e-4, size=(100, 10)).astype(np.float32)
    findings = run_data_checks(classification(np.concatenate([x, noisy]), np.concatenate([y, y[:100]])), "D107")
    (finding,) = of(findings, "D107")
    assert finding.evidence["exact_share"] == 0.0
    assert finding.evidence["near_share"] == pytest.approx(200 / 500)


def test_d108_validation_rows_copied_from_training():
    x, y = blobs()
    train, val = split(x, y)
    leaked = (np.concatenate([val[0][:100], train[0][:20]]), np.concatenate([val[1][:100], train[1][:20]]))
    findings = run_data_checks(classification(*train, val=leaked), "D108")
    (finding,) = of(findings, "D108")
    assert finding.evidence["exact_in_train"] == 20 and finding.evidence["exact_share"] == pytest.approx(20 / 120)


def test_d109_feature_shift_names_the_shifted_features():
    x, y = blobs(n=1200)
    train, val = split(x, y, at=800)
    shifted = val[0].copy()
    shifted[:, [1, 6]] += 1.0
    findings = run_data_checks(classification(*train, val=(shifted, val[1])), "D109")
    (finding,) = [f for f in of(findings, "D109") if f.evidence.get("kind") == "input"]
    assert sorted(finding.evidence["shifted"]) == [1, 6]


def test_d109_label_shift():
    x, y = blobs(n=1200)
    train, val = split(x, y, at=800)
    keep = np.concatenate([np.flatnonzero(val[1] == 0), np.flatnonzero(val[1] != 0)[:40]])
    findings = run_data_checks(classification(*train, val=(val[0][keep], val[1][keep])), "D109")
    (finding,) = [f for f in of(findings, "D109") if "tvd" in f.evidence]
    expected = 0.5 * np.abs(np.bincount(train[1], minlength=3) / len(train[1])
                            - np.bincount(val[1][keep], minlength=3) / len(keep)).sum()
    assert finding.evidence["tvd"] == pytest.approx(expected)


# -- D110 / D111: label probe -----------------------------------------------------------
def test_d111_shuffled_labels_are_an_error():
    x, y = blobs()
    shuffled = np.random.default_rng(1).permutation(y)
    findings = run_data_checks(classification(x, shuffled), "D110", "D111")
    (finding,) = of(findings, "D111")
    assert finding.severity.value == "error"
    assert finding.evidence["chance"] == pytest.approx(np.bincount(shuffled).max() / len(shuffled))
    assert "D110" not in raised(findings)


def test_d111_regression_targets_unpaired():
    x, y = regression_data()
    findings = run_data_checks(nndoctor.Setup(model=mlp(8, 1), train=(x, np.random.default_rng(1).permutation(y)), loss=nn.MSELoss()), "D111")
    assert "D111" in raised(findings, "error")


def _board_positions(n: int = 1200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Board positions as 12 one-hot piece planes of 64 squares, scored by material (a chess-like evaluation)."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 12, 64), np.float32)
    for i in range(n):
        squares = rng.choice(64, size=rng.integers(6, 24), replace=False)
        x[i, rng.integers(0, 12, size=len(squares)), squares] = 1
    value = np.tile(np.array([1, 3, 3, 5, 9, 0], np.float32), 2) * np.repeat([1, -1], 6)
    y = np.einsum("nps,p->n", x, value) + 0.5 * rng.normal(size=n)
    return x.reshape(n, -1), y.astype(np.float32)[:, None]


def test_regression_probe_sees_a_sparse_wide_linear_target():
    # 768 sparse columns: the first principal components miss the rare squares; the probe must
    # still find what least squares on every column finds on held-out rows
    from nndoctor.probes.label_probe import probe_labels

    x, y = _board_positions()
    design = np.c_[x, np.ones(len(x))]
    coef = np.linalg.lstsq(design[:900], y[:900], rcond=None)[0]
    held = y[900:] - design[900:] @ coef
    least_squares_r2 = 1 - held.var() / y[900:].var()
    assert least_squares_r2 > 0.9
    assert probe_labels(x, y, "regression").best > least_squares_r2 - 0.1


def test_d111_board_evaluation_paired_and_unpaired():
    x, y = _board_positions()
    setup = nndoctor.Setup(model=mlp(768, 1), train=(x, y), loss=nn.MSELoss())
    assert "D111" not in raised(run_data_checks(setup, "D111"), "info")
    shuffled = nndoctor.Setup(model=mlp(768, 1), train=(x, np.random.default_rng(1).permutation(y)), loss=nn.MSELoss())
    assert "D111" in raised(run_data_checks(shuffled, "D111"), "error")


def test_d111_silent_on_xor_that_a_linear_probe_cannot_learn():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(600, 2)).astype(np.float32)
    y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64)
    assert "D111" not in raised(run_data_checks(classification(x, y), "D111"), "info")


def _radial_minority(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """10-D Gaussian inputs labelled 1 outside a sphere holding 91% of them: 10:1, no linear signal."""
    from scipy.stats import chi2

    x = np.random.default_rng(seed).normal(size=(n, 10)).astype(np.float32)
    return x, ((x ** 2).sum(axis=1) > chi2.ppf(10 / 11, df=10)).astype(np.int64)


def test_d111_silent_on_a_rare_class_no_probe_argmax_wins():
    # neither probe's argmax beats "always 0" here, but the nearest neighbours' scores rank the outer rows first
    x, y = _radial_minority()
    assert "D111" not in raised(run_data_checks(classification(x, y), "D111"), "info")


def test_d111_shuffled_rare_class_labels_are_an_error():
    x, y = _radial_minority()
    findings = run_data_checks(classification(x, np.random.default_rng(1).permutation(y)), "D111")
    (finding,) = of(findings, "D111")
    assert finding.severity.value == "error" and finding.evidence["rank_p_value"] >= 0.01


def test_d111_ranking_p_value_matches_a_direct_auc_test():
    from scipy.stats import mannwhitneyu

    from nndoctor.probes.label_probe import ranking_p_value

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 300)
    informative = np.eye(3)[labels] * 0.3 + rng.random((300, 3))
    noise = rng.random((300, 3))
    folds = [np.arange(0, 300, 2), np.arange(1, 300, 2)]
    p = ranking_p_value({"a": noise, "b": informative}, labels, np.arange(3), folds)
    direct = min(mannwhitneyu(s[f][labels[f] == c, c], s[f][labels[f] != c, c], alternative="greater").pvalue
                 for s in (noise, informative) for f in folds for c in range(3))
    assert p == pytest.approx(min(1.0, 12 * direct)) and p < 1e-3
    assert ranking_p_value({"a": noise}, labels, np.arange(3), folds) > 0.01

def test_d110_d111_silent_on_hard_but_clean_labels():
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=800, n_features=10, n_informative=6, n_redundant=0, n_classes=3,
                               n_clusters_per_class=1, class_sep=0.5, flip_y=0.0, random_state=0)
    x = ((x - x.mean(0)) / x.std(0)).astype(np.float32)
    assert raised(run_data_checks(classification(x, y), "D110", "D111"), "info") == set()


def test_d110_flipped_labels_flag_the_flipped_rows():
    x, y = blobs(n=1000, seed=1)
    rng = np.random.default_rng(0)
    flipped = rng.random(len(y)) < 0.2
    noisy = y.copy()
    noisy[flipped] = (y[flipped] + rng.integers(1, 3, flipped.sum())) % 3
    findings = run_data_checks(classification(x, noisy), "D110")
    (finding,) = of(findings, "D110")
    assert "D111" not in raised(findings, "info")
    rows = finding.evidence["rows"]
    assert np.mean(flipped[rows]) >= 0.8  # the flagged rows are mostly the flipped ones


def test_d110_noisy_training_labels_disagree_with_clean_validation_labels():
    x, y = blobs(n=1500, seed=2)
    rng = np.random.default_rng(0)
    train_y = y[:1000].copy()
    redo = rng.random(1000) < 0.4  # so much noise that a probe fitted on it is calibrated to it
    train_y[redo] = rng.integers(0, 3, redo.sum())
    findings = run_data_checks(classification(x[:1000], train_y, val=(x[1000:], y[1000:])), "D110", "D111")
    (finding,) = of(findings, "D110")
    assert "D111" not in raised(findings, "info")
    scores = finding.evidence["val_scores"]
    assert max(scores.values()) > 0.85 and min(finding.evidence["val_p_values"].values()) < 1e-3


def test_d110_silent_when_validation_rows_are_copies_of_training_rows():
    x, y = blobs(n=1000, seed=2)
    rng = np.random.default_rng(0)
    noisy = y.copy()
    redo = rng.random(len(y)) < 0.4
    noisy[redo] = rng.integers(0, 3, redo.sum())
    # the fold probes have seen most validation rows with these very labels: agreement there is memory, not a clean split
    findings = run_data_checks(classification(x, noisy, val=(x[:300], noisy[:300])), "D110")
    # the training labels are noisy (the floor says so), but the validation comparison must not speak
    for finding in of(findings, "D110"):
        assert not finding.evidence["validation_disagreement"] and finding.evidence["labels_without_inputs"]


def test_d110_silent_when_both_splits_carry_the_same_labels():
    x, y = blobs(n=1500, seed=2)
    rng = np.random.default_rng(0)
    noisy = y.copy()
    redo = rng.random(len(y)) < 0.4
    noisy[redo] = rng.integers(0, 3, redo.sum())  # noisy labels in both splits: nothing sets training apart from validation
    findings = run_data_checks(classification(x[:1000], noisy[:1000], val=(x[1000:], noisy[1000:])), "D110")
    (finding,) = of(findings, "D110")  # the training labels themselves are noisy: the floor reads it
    assert not finding.evidence["validation_disagreement"] and not finding.evidence["labels_moved_inputs_not"]
    assert finding.evidence["noise_floor"] == pytest.approx(redo[:1000].mean(), abs=0.08)


def _one_way_flips(share: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Blobs split 1000/1000; ``share`` of the training class 2 recorded as class 0, validation clean."""
    x, y = blobs(n=2000, seed=4)
    rng = np.random.default_rng(0)
    train_y = y[:1000].copy()
    train_y[(train_y == 2) & (rng.random(1000) < share)] = 0
    return x[:1000], train_y, x[1000:], y[1000:]


def test_d110_one_way_flips_move_the_class_shares_but_not_the_inputs():
    x, train_y, val_x, val_y = _one_way_flips()
    findings = run_data_checks(classification(x, train_y, val=(val_x, val_y)), "D109", "D110")
    (finding,) = of(findings, "D110")
    tvd = 0.5 * np.abs(np.bincount(train_y, minlength=3) / len(train_y) - np.bincount(val_y, minlength=3) / len(val_y)).sum()
    assert finding.evidence["labels_moved_inputs_not"] and finding.evidence["label_shift_tvd"] == pytest.approx(tvd)
    assert finding.evidence["inputs_follow_train_log_lr"] > np.log(100)
    ordered = [f for f in rank(findings) if f.severity.at_least(Severity.WARNING)]
    assert ordered[0].code == "D110" and all(f.explained_by == "D110" for f in ordered if f.code == "D109")


def test_d110_black_box_shift_estimate_by_hand():
    """The log likelihood ratio against an independent calculation (sklearn's cross_val_predict, Gaussian means)."""
    from scipy.stats import multivariate_normal
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from nndoctor.probes.label_probe import probe_labels

    x, train_y, val_x, val_y = _one_way_flips()
    probe = probe_labels(x, train_y, "multiclass", val=(val_x, val_y))
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=200, tol=1e-3))
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    proba = cross_val_predict(model, x, train_y, cv=folds, method="predict_proba")
    # each validation row scored by one fold's model (rows dealt to the folds by a seeded permutation), as each training row is
    dealt = np.random.default_rng(0).permutation(len(val_x)) % 5
    val_proba = np.zeros((len(val_x), 3))
    for fold, (a, _) in enumerate(folds.split(x, train_y)):
        val_proba[dealt == fold] = model.fit(x[a], train_y[a]).predict_proba(val_x[dealt == fold])
    given = np.stack([proba[train_y == j].mean(0) for j in range(3)], axis=1)
    cov = np.cov(val_proba[:, :2], rowvar=False) / len(val_x) + np.cov(proba[:, :2], rowvar=False) / len(x)
    shares = [np.bincount(labels, minlength=3) / len(labels) for labels in (train_y, val_y)]
    log_p = [multivariate_normal((given @ pi)[:2], cov).logpdf(val_proba.mean(0)[:2]) for pi in shares]
    if probe.best_probe == "logistic regression":
        assert probe.inputs_follow_train_log_lr == pytest.approx(log_p[0] - log_p[1], rel=1e-4)
    assert log_p[0] - log_p[1] > np.log(100)


def test_d110_silent_on_a_real_label_shift():
    x, y = blobs(n=1200)
    train, val = split(x, y, at=800)
    keep = np.concatenate([np.flatnonzero(val[1] == 0), np.flatnonzero(val[1] != 0)[:40]])
    findings = run_data_checks(classification(*train, val=(val[0][keep], val[1][keep])), "D109", "D110")
    assert "D110" not in raised(findings, "info") and "D109" in raised(findings)


def test_d110_silent_on_hard_clean_labels_with_a_stratified_validation_split():
    from sklearn.datasets import load_digits, make_classification
    from sklearn.model_selection import train_test_split

    hard = make_classification(n_samples=1500, n_features=10, n_informative=6, n_redundant=0, n_classes=3,
                               n_clusters_per_class=2, class_sep=0.5, flip_y=0.0, random_state=1)
    for x, y in (hard, load_digits(return_X_y=True)):
        x = ((x - x.mean(0)) / np.maximum(x.std(0), 1e-9)).astype(np.float32)
        x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
        findings = run_data_checks(classification(x_train, y_train, val=(x_val, y_val)), "D110")
        assert "D110" not in raised(findings, "info")


# -- D112 / D113 / D114: encoding and batching ----------------------------------------------
def coded_classes(levels: int = 12, n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two continuous columns and a category code 0..levels-1 whose numbering is unrelated to its effect on the class."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2))
    codes = rng.integers(0, levels, n)
    effect = rng.permutation(np.linspace(-2.0, 2.0, levels))
    y = (x[:, 0] + effect[codes] + 0.5 * rng.standard_normal(n) > 0).astype(np.int64)
    return x.astype(np.float32), codes.astype(np.float32), y


def test_d112_standardised_and_scaled_codes_are_still_codes():
    x, codes, y = coded_classes()
    for scaled in ((codes - codes.mean()) / codes.std(), codes / 11.0):
        wide = np.concatenate([x, scaled[:, None]], axis=1)
        findings = run_data_checks(classification(wide, y), "D112")
        (finding,) = [f for f in of(findings, "D112") if f.severity.value == "warning"]
        assert finding.evidence["columns"] == [2]


def test_d112_silent_on_pixel_levels_without_continuous_columns():
    x, _ = digit_images(n=600)
    flat = (x.reshape(len(x), -1) * 16.0).round() / 16.0 - 0.5  # every column on the 17 pixel levels
    y = np.random.default_rng(0).integers(0, 10, len(x))
    assert "D112" not in raised(run_data_checks(classification(flat, y), "D112"))


def test_d111_silent_when_the_signal_sits_in_category_codes():
    rng = np.random.default_rng(1)
    category = rng.integers(0, 20, 1500)
    risky = rng.permutation(20)[:10]
    y = (rng.random(1500) < np.where(np.isin(category, risky), 0.85, 0.15)).astype(np.int64)
    x = np.column_stack([rng.standard_normal(1500), rng.standard_normal(1500), category / 19.0]).astype(np.float32)
    findings = run_data_checks(classification(x, y), "D111", "D112")
    assert "D111" not in raised(findings, "info") and "D112" in raised(findings)


def test_d112_integer_codes_among_continuous_columns():
    x, codes, y = coded_classes(levels=6, n=600, seed=2)
    wide = np.concatenate([x, codes[:, None]], axis=1)
    findings = run_data_checks(classification(*split(wide, y)[0]), "D112")
    (finding,) = [f for f in of(findings, "D112") if f.severity.value == "warning"]
    assert finding.evidence["columns"] == [2]


def test_d112_standardised_one_hot_block():
    x, y = blobs()
    colour = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, size=len(x))]
    colour = (colour - colour.mean(0)) / colour.std(0)
    wide = np.concatenate([x, colour], axis=1)
    findings = run_data_checks(nndoctor.Setup(model=mlp(14, 3), train=(wide, y)), "D112")
    assert [f.evidence.get("blocks") for f in of(findings, "D112")] == [[[10, 11, 12, 13]]]


@pytest.mark.parametrize("rare", [True, False], ids=["rare-category", "common-categories"])
def test_d112_a_standardised_one_hot_block_warns_when_a_rare_category_becomes_a_large_input(rare):
    # round 19 c/battery_soh_regressor standardised three balanced chemistry columns: each hot value is sqrt(2)
    x, y = blobs()
    shares = [0.04, 0.32, 0.32, 0.32] if rare else [0.25] * 4
    colour = np.eye(4, dtype=np.float32)[np.random.default_rng(0).choice(4, size=len(x), p=shares)]
    colour = (colour - colour.mean(0)) / colour.std(0)
    findings = run_data_checks(nndoctor.Setup(model=mlp(14, 3), train=(np.concatenate([x, colour], axis=1), y)), "D112")
    (found,) = of(findings, "D112")
    assert found.severity.value == ("warning" if rare else "info")
    assert (found.evidence["largest_input"] > 3) is rare


def test_d113_minus_one_plus_one_targets_for_bce():
    x, y = blobs(classes=2)
    signs = (2.0 * y - 1.0).astype(np.float32)[:, None]
    findings = run_data_checks(nndoctor.Setup(model=mlp(10, 1), train=(x, signs), loss=nn.BCEWithLogitsLoss()), "D113")
    (finding,) = of(findings, "D113")
    assert finding.severity.value == "error" and finding.evidence["values"] == [-1.0, 1.0]


def test_d113_label_beyond_output_width_after_the_first_batch():
    x, y = blobs()
    y = y.copy()
    y[-5:] = 3  # a fourth class the 3-output model cannot represent; not in the first batch
    loader = DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=32)
    findings = run_data_checks(nndoctor.Setup(model=mlp(10, 3), train=loader, loss=nn.CrossEntropyLoss()), "D113")
    (finding,) = of(findings, "D113")
    assert finding.evidence["out_of_range"] == [3] and finding.evidence["out_of_range_count"] == 5


def test_d113_one_based_labels_waste_an_output():
    x, y = blobs()
    findings = run_data_checks(nndoctor.Setup(model=mlp(10, 4), train=(x, y + 1), loss=nn.CrossEntropyLoss()), "D113")
    (finding,) = of(findings, "D113")
    assert finding.severity.value == "warning"


def test_d114_two_steps_per_epoch():
    x, y = blobs()
    findings = run_data_checks(classification(*split(x, y)[0], batch_size=256), "D114")
    (finding,) = of(findings, "D114")
    assert finding.evidence["steps_per_epoch"] == int(np.ceil(480 / 256)) and finding.severity.value == "warning"


# -- other data forms -------------------------------------------------------------------
class DictRows(torch.utils.data.Dataset):
    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> dict:
        return {"x": torch.tensor(self.x[i]), "y": torch.tensor(self.y[i])}


class Stream(torch.utils.data.IterableDataset):
    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x, self.y = x, y

    def __iter__(self):
        return iter(zip(torch.tensor(self.x), torch.tensor(self.y)))


@pytest.mark.parametrize("form", ["dict dataset", "iterable loader"])
def test_healthy_data_in_other_forms_stays_quiet(form):
    x, y = blobs()
    if form == "dict dataset":
        train, val = DictRows(x[:480], y[:480]), DictRows(x[480:], y[480:])
    else:
        train, val = (DataLoader(Stream(x[:480], y[:480]), batch_size=32), DataLoader(Stream(x[480:], y[480:]), batch_size=32))
    findings = run_data_checks(nndoctor.Setup(model=mlp(10, 3), train=train, val=val, loss=nn.CrossEntropyLoss()))
    assert raised(findings) == set(), [f.message for f in findings]


def test_token_id_inputs_are_not_judged_as_magnitudes():
    rng = np.random.default_rng(0)
    ids, labels = rng.integers(0, 50, size=(300, 12)), rng.integers(0, 3, 300)
    model = nn.Sequential(nn.EmbeddingBag(50, 8), nn.Linear(8, 3))
    findings = run_data_checks(nndoctor.Setup(model=model, train=(ids, labels), loss=nn.CrossEntropyLoss()))
    assert not {"D101", "D102", "D103", "D112"} & raised(findings, "info")


# -- bounded cost and no side effects --------------------------------------------------------
def test_million_row_dataset_audits_in_seconds():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(1_000_000, 20, generator=gen)
    y = (x[:, 0] + x[:, 1] > 0).long()
    setup = nndoctor.Setup(model=mlp(20, 2), train=(x[:900_000], y[:900_000]), val=(x[900_000:], y[900_000:]),
                           loss=nn.CrossEntropyLoss(), batch_size=64)
    started = time.perf_counter()
    findings = run_data_checks(setup)
    assert time.perf_counter() - started < 20.0
    assert raised(findings) == set(), [f.message for f in findings]


def test_sampling_leaves_global_rng_alone():
    x, y = blobs()
    setup = classification(x, y)
    torch_state, np_state = torch.get_rng_state(), np.random.get_state()
    sample = data_audit.draw_sample(setup, "train", max_rows=100)
    assert sample.n == 100 and len(set(sample.rows.tolist())) == 100
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], np_state[1])


def test_checkup_reports_data_findings_through_the_runner():
    x, y = digit_images()
    report = nndoctor.checkup(nndoctor.Setup(model=small_cnn(1, 10), train=(x * 255.0, y)), select=["D1"])
    assert "D101" in report.codes and set(report.codes) <= set(D_CODES)


# -- sequence targets: token ids with a time axis ---------------------------------------------
class TokenModel(nn.Module):
    def __init__(self, vocab: int) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.embed, self.head = nn.Embedding(vocab, 16), nn.Linear(16, vocab)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(ids))  # (N, T, V)


def zipf_tokens(n: int, length: int, vocab: int, seed: int, offset: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, vocab + 1) ** 1.1
    ids = (rng.choice(vocab, size=(n, length + 1), p=p / p.sum()) + offset) % vocab
    ids = torch.from_numpy(ids.astype(np.int64))
    return ids[:, :-1], ids[:, 1:]


def test_a_zipfian_token_distribution_is_no_class_imbalance_nor_shift():
    vocab = 3000
    train, val = zipf_tokens(400, 12, vocab, 0), zipf_tokens(100, 12, vocab, 1)
    found = run_data_checks(nndoctor.Setup(model=TokenModel(vocab), train=train, val=val), "D106", "D109", "D113")
    assert raised(found, "info") == set(), [f.message for f in found]


def test_token_shift_between_splits_is_measured_on_the_frequent_tokens():
    vocab = 3000
    train, val = zipf_tokens(400, 12, vocab, 0), zipf_tokens(100, 12, vocab, 1, offset=7)  # another domain's head tokens
    found = of(run_data_checks(nndoctor.Setup(model=TokenModel(vocab), train=train, val=val), "D109"), "D109")
    assert found and found[0].message.startswith("Token shares differ")


def test_token_ids_beyond_the_vocabulary_are_D113_on_the_class_axis():
    vocab = 3000
    x, y = zipf_tokens(200, 12, vocab, 0)
    y[5, 3] = vocab  # one id past the end of the output's class axis
    found = of(run_data_checks(nndoctor.Setup(model=TokenModel(vocab), train=(x, y)), "D113"), "D113")
    assert found and found[0].severity == Severity.ERROR
    assert found[0].evidence["out_of_range"] == [vocab] and found[0].evidence["output_width"] == vocab


def test_d101_is_the_root_when_most_features_are_raw_and_d102_when_a_minority_are():
    """Raw readings (most features offset far from zero) are unnormalised inputs; a few features in other units are mixed scales."""
    x, y = _sensor_sequences()
    raw = x * np.array([1.5, 40.0, 0.02], dtype=np.float32) + np.array([20.0, 1013.0, 0.5], dtype=np.float32)
    findings = [f for f in rank(run_data_checks(_sequence_setup(raw, y), "D101", "D102")) if f.severity.at_least(Severity.WARNING)]
    assert [f.code for f in findings] == ["D101", "D102"] and findings[1].explained_by == "D101"
    (d101,) = of(findings, "D101")
    assert 2 * d101.evidence["off_scale"] > d101.evidence["units"]

    x, y = blobs()
    x[:, 0] = x[:, 0] * 1000.0 + 5000.0  # one feature in other units, the rest standardised
    findings = [f for f in rank(run_data_checks(classification(x, y), "D101", "D102")) if f.severity.at_least(Severity.WARNING)]
    assert findings[0].code == "D102" and all(f.explained_by == "D102" for f in findings if f.code == "D101")


def _burst_channels(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Clean labels a linear probe cannot represent: the label is the channel (of 4) where a burst sits, anywhere in time."""
    x = rng.normal(size=(n, 4, 30))
    y = rng.integers(0, 4, n)
    start = rng.integers(0, 22, n)
    for i in range(n):
        x[i, y[i], start[i]:start[i] + 8] += 1.5
    return x.reshape(n, -1).astype(np.float32), y


def test_validation_rows_are_scored_like_held_out_training_rows():
    """Clean labels, a non-linear task, 120 dimensions: one 15-NN fold probe per validation row scores it as
    well as the held-out training rows (the fold probes' average, an ensemble, scored validation higher)."""
    from nndoctor.probes.label_probe import probe_labels

    rng = np.random.default_rng(3)
    x, y = _burst_channels(rng, 1500)
    val_x, val_y = _burst_channels(rng, 500)
    probe = probe_labels(x, y, "multiclass", val=(val_x, val_y))
    knn = "15-nearest neighbours"
    assert abs(probe.val_scores[knn] - probe.scores[knn]) < 0.05
    assert probe.val_p_values[knn] > 0.01


def test_d110_silent_when_a_misspecified_linear_probe_is_over_confident_on_clean_labels():
    """The linear probe cannot represent where the burst is, so its raw probabilities put more clean labels
    below 0.05 than they predict; at its own best-fitting temperature they do not."""
    rng = np.random.default_rng(5)
    x, y = _burst_channels(rng, 2000)
    val_x, val_y = _burst_channels(rng, 500)
    findings = run_data_checks(classification(x, y, val=(val_x, val_y)), "D110")
    assert "D110" not in raised(findings, "info")
