"""One verdict per data / loss code, fed by checkup and watch alike.

Each known wrong verdict is pinned by a pair in the style of PyTorch's official examples: a
healthy loop that must stay silent, and its broken counterpart that must still fire. The
pooling that turns sampled batches into a dataset property is checked against numpy on the
concatenated rows (an independent calculation).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import nndoctor
from nndoctor import Severity
from nndoctor.verdicts import VERDICTS
from nndoctor.verdicts.data import (
    InputScale,
    LabelProbe,
    MemorisationCurve,
    batch_order_from_counts,
    labels_unpredictable,
    mixed_feature_scales,
    ordered_batches,
    pooled_moments,
)
from nndoctor.verdicts.loss import LossDirection, LossReduction, loss_sign_or_reduction
from nndoctor.watch import live_rules
from nndoctor.watch.instrument import instrumented
from nndoctor.watch.telemetry import LossCall, Telemetry

sys.path.insert(0, str(Path(__file__).parent))
from models import fired

DATA_CODES = ("D101", "D102", "D104", "D105", "D111", "D113", "D115")
LOSS_CODES = ("L301", "L302", "L303", "L304", "L307", "L308")


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def watched(fn, *args, **kwargs) -> nndoctor.Doctor:
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            fn(*args, **kwargs)
    finally:
        doctor.stop()
    return doctor


def codes(doctor: nndoctor.Doctor, at_least: Severity = Severity.INFO) -> set[str]:
    return {f.code for f in doctor.findings() if f.severity.at_least(at_least)}


def test_every_code_has_one_registered_verdict():
    import nndoctor.verdicts.data
    import nndoctor.verdicts.loss  # noqa: F401

    for code in DATA_CODES + LOSS_CODES:
        assert VERDICTS[code].__module__ in ("nndoctor.verdicts.data", "nndoctor.verdicts.loss"), code


# -- pooling sampled batches ---------------------------------------------------------------
def test_pooled_moments_equal_the_moments_of_the_concatenated_rows():
    rng = np.random.default_rng(0)
    batches = [rng.normal(loc, scale, size=(n, 3)) for loc, scale, n in ((0, 1, 40), (5, 2, 17), (-1, 0.1, 64))]
    mean, variance = pooled_moments(np.array([b.mean(0) for b in batches]), np.array([b.var(0) for b in batches]),
                                    np.array([len(b) for b in batches]))
    rows = np.concatenate(batches)
    np.testing.assert_allclose(mean, rows.mean(0))
    np.testing.assert_allclose(variance, rows.var(0))


def digits() -> torch.Tensor:
    return torch.tensor(load_digits().data, dtype=torch.float32) / 16.0


class VAE(nn.Module):
    """The official VAE example's model, on 8x8 digits."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 64)
        self.fc21 = nn.Linear(64, 8)
        self.fc22 = nn.Linear(64, 8)
        self.fc3 = nn.Linear(8, 64)
        self.fc4 = nn.Linear(64, 64)

    def forward(self, x):
        h = F.relu(self.fc1(x.view(-1, 64)))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar


def vae_loop(x: torch.Tensor, scale: float = 1.0, epochs: int = 2) -> None:
    """The VAE example's loop; ``scale`` multiplies what the model sees (the BCE target stays in [0, 1])."""
    torch.manual_seed(1)
    model = VAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(TensorDataset(x), batch_size=64, shuffle=True)
    for _ in range(epochs):
        for (data,) in loader:
            optimizer.zero_grad()
            recon, mu, logvar = model(data * scale)
            bce = F.binary_cross_entropy(recon, data.view(-1, 64), reduction="sum")
            kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
            (bce + kld).backward()
            optimizer.step()


def test_watch_pixels_in_unit_range_are_not_features_in_other_units():
    """Rarely lit pixels have zero spread in most batches: that is not a feature in another unit."""
    doctor = watched(vae_loop, digits())
    assert not {"D101", "D102"} & codes(doctor), [(f.code, f.message) for f in doctor.findings()]


def test_watch_raw_intensities_still_fire_d101():
    doctor = watched(vae_loop, digits(), 16.0)  # the same loop fed the raw intensities (0..16)
    assert "D101" in codes(doctor, Severity.WARNING)


def telemetry_with_feature_batches(batches: list[np.ndarray], ranges: bool) -> Telemetry:
    """A telemetry holding per-batch feature moments as the recorder stores them (unbiased std)."""
    t = Telemetry()
    for step, b in enumerate(batches):
        entry = {"step": step, "model": "model", "mean": float(b.mean()), "std": float(b.std(ddof=1)),
                 "absmax": float(np.abs(b).max()), "nonfinite": 0, "float": True, "shape": list(b.shape),
                 "feature_mean": b.mean(0).tolist(), "feature_std": b.std(0, ddof=1).tolist()}
        if ranges:
            entry["feature_min"], entry["feature_max"] = b.min(0).tolist(), b.max(0).tolist()
        t.inputs.append(entry)
    return t


def test_watch_d102_needs_feature_ranges_and_fires_on_units_apart_with_them():
    rng = np.random.default_rng(0)
    batches = [rng.normal(size=(64, 4)) * np.array([1.0, 1.0, 1000.0, 0.001]) for _ in range(6)]
    found = {f.code for f in live_rules.evaluate(telemetry_with_feature_batches(batches, ranges=True), {}, codes=["D102"])}
    assert found == {"D102"}
    # without ranges a tiny std could be a rarely non-zero feature: no verdict
    assert not live_rules.evaluate(telemetry_with_feature_batches(batches, ranges=False), {}, codes=["D102"])


def test_d102_a_rare_pixel_sharing_the_scale_is_silent_on_pooled_batches():
    rng = np.random.default_rng(0)
    batches = [rng.uniform(0, 1, size=(64, 5)) for _ in range(8)]
    for b in batches:
        b[:, 4] = 0.0
    batches[3][7, 4] = 0.5  # lit once in 512 rows: std ~0.02, range 0.5
    t = telemetry_with_feature_batches(batches, ranges=True)
    assert not live_rules.evaluate(t, {}, codes=["D102"])


def test_d102_verdict_is_the_same_for_checkup_and_watch_measurements():
    std = np.array([1.0, 1e-3])
    far = InputScale(unit="feature", mean=np.zeros(2), std=std, range=np.array([6.0, 6e-3]))
    near = InputScale(unit="feature", mean=np.zeros(2), std=std, range=np.array([6.0, 0.5]))
    assert [f.code for f in mixed_feature_scales(far)] == ["D102"]
    assert not list(mixed_feature_scales(near))


# -- L304: decided by the last operation, not by observed outputs ------------------------------
def regression_data(n: int = 512) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 6, generator=g)
    y = 150.0 + 100.0 * x[:, :1] + torch.randn(n, 1, generator=g)  # raw targets, about 7% negative
    return x, y


def huber_loop(head: nn.Module) -> None:
    torch.manual_seed(0)
    x, y = regression_data()
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1), head)
    with torch.no_grad():
        model[2].bias.fill_(150.0)  # outputs start near the target mean and stay positive on sampled steps
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    for _ in range(3):
        for xb, yb in DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True):
            optimizer.zero_grad()
            F.huber_loss(model(xb), yb, delta=1.0).backward()
            optimizer.step()


def test_watch_linear_head_on_raw_targets_gets_no_output_activation_verdict():
    _, y = regression_data()
    assert float((y < 0).float().mean()) > 0.01
    doctor = watched(huber_loop, nn.Identity())
    assert "L304" not in codes(doctor)


def test_checkup_sigmoid_head_on_raw_targets_still_fires_l304():
    x, y = regression_data()
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1), nn.Sigmoid())
    setup = nndoctor.Setup(model=model, train=(x, y), loss=nn.HuberLoss(), task="regression")
    assert fired(setup, "L304") == {"L304"}


def test_watch_l304_fires_when_the_loss_call_records_a_bounded_last_operation():
    t = Telemetry()
    evidence = {"input_min": 0.2, "input_max": 0.9, "target_min": -3.0, "target_max": 400.0, "target_negative_share": 0.06,
                "target_above_one_share": 0.9, "output_op": "Sigmoid", "output_op_range": [0.0, 1.0]}
    t.loss_calls.append(LossCall("huber_loss", 3, True, None, evidence))
    (finding,) = live_rules.evaluate(t, {}, codes=["L304"])
    assert finding.evidence["share_unreachable"] == pytest.approx(0.96)
    unbounded = dict(evidence, output_op="Addmm", output_op_range=None)
    t.loss_calls[0] = LossCall("huber_loss", 3, True, None, unbounded)
    assert not live_rules.evaluate(t, {}, codes=["L304"])


# -- D111: a summed evaluation loss is not a per-sample loss ----------------------------------------
def test_d111_compares_levels_only_for_per_sample_validation_losses():
    memorised = MemorisationCurve(train_end=0.1, val_best=2.4, reference=2.3, ceiling=2.3)
    assert [f.code for f in labels_unpredictable(memorised)] == ["D111"]
    summed = MemorisationCurve(train_end=0.1, val_best=63.8, reference=2.3, ceiling=2.3, val_reduction="sum")
    assert not list(labels_unpredictable(summed))


def classify_loop(eval_reduction: str, shuffle_labels: bool) -> None:
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(256, 10, generator=g)
    y = (x[:, :3].argmax(1)).long()
    if shuffle_labels:
        y = y[torch.randperm(len(y), generator=g)]
    train, test = TensorDataset(x[:128], y[:128]), TensorDataset(x[128:], y[128:])
    model = nn.Sequential(nn.Linear(10, 512), nn.ReLU(), nn.Linear(512, 3), nn.LogSoftmax(dim=1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(60):
        model.train()
        for xb, yb in DataLoader(train, batch_size=32, shuffle=True):
            optimizer.zero_grad()
            F.nll_loss(model(xb), yb).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            for xb, yb in DataLoader(test, batch_size=64):
                F.nll_loss(model(xb), yb, reduction=eval_reduction)


def test_watch_mnist_style_summed_test_loss_is_not_read_as_unpaired_labels():
    doctor = watched(classify_loop, "sum", False)
    assert "D111" not in codes(doctor)


def test_watch_unpaired_labels_still_fire_d111_with_a_mean_test_loss():
    doctor = watched(classify_loop, "mean", True)
    assert "D111" in codes(doctor, Severity.ERROR), [(f.code, f.message) for f in doctor.findings()]


# -- D115: one measurement (label entropy per batch) in both modes -------------------------------------
def test_class_ordered_batches_have_low_entropy_against_shuffles():
    ordered = [[32, 0, 0]] * 4 + [[0, 32, 0]] * 4 + [[0, 0, 32]] * 4
    (finding,) = ordered_batches(batch_order_from_counts(ordered))
    assert finding.evidence["mean_entropy"] == 0.0 and finding.evidence["expected_entropy"] > 1.0
    shuffled = np.random.default_rng(0).multinomial(32, [1 / 3] * 3, size=12)
    assert not list(ordered_batches(batch_order_from_counts(shuffled)))


# -- L308: severity follows the optimizer in both modes -----------------------------------------------
def test_summed_loss_scales_the_step_under_sgd_and_not_under_adam():
    # alone, a sum is advice either way: under SGD it multiplies the step (the diagnosis raises it when the run's steps
    # prove too large), under Adam the scale cancels
    summed = {"reduction": "sum", "batch": 64, "losses": ("mse_loss",)}
    (sgd,) = loss_sign_or_reduction(None, LossReduction(optimizers=("SGD",), **summed))
    (adam,) = loss_sign_or_reduction(None, LossReduction(optimizers=("Adam",), **summed))
    assert (sgd.severity, adam.severity) == (Severity.INFO, Severity.INFO)
    assert (sgd.evidence["scales_the_step"], adam.evidence["scales_the_step"]) == (True, False)
    assert "64x too large" in sgd.message
    (flipped,) = loss_sign_or_reduction(LossDirection(sign_checks=4, sign_flipped=4), LossReduction(optimizers=("SGD",), **summed))
    assert flipped.severity == Severity.ERROR


def test_regression_probe_r2_near_zero_is_unpredictable():
    probe = LabelProbe(task="regression", best=0.0, best_probe="ridge", n=400, scores={"ridge": 0.0})
    assert [f.code for f in labels_unpredictable(probe)] == ["D111"]
    assert not list(labels_unpredictable(LabelProbe(task="regression", best=0.6, best_probe="ridge", n=400, scores={"ridge": 0.6})))



def regression_loop(shuffle: bool) -> None:
    torch.manual_seed(0)
    x, y = regression_data()
    order = torch.argsort(y[:, 0])  # a table saved sorted by its target
    dataset = TensorDataset((x[order] - x.mean(0)) / x.std(0), (y[order] - y.mean()) / y.std())
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-2)
    for _ in range(2):
        for xb, yb in DataLoader(dataset, batch_size=32, shuffle=shuffle):
            optimizer.zero_grad()
            F.mse_loss(model(xb), yb).backward()
            optimizer.step()


@pytest.mark.parametrize("shuffle", [True, False])
def test_watch_judges_target_order_by_the_within_batch_share_of_the_variance(shuffle):
    doctor = watched(regression_loop, shuffle)
    assert ("D115" in codes(doctor, Severity.WARNING)) is not shuffle
