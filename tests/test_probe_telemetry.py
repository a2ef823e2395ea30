"""The checkup's probe telemetry against an independent calculation, and its blocks in the report."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

import nndoctor
from nndoctor.render.plots import render_figures

from conftest import blobs, mlp


def _setup(x: np.ndarray, y: np.ndarray, model: nn.Module) -> nndoctor.Setup:
    return nndoctor.Setup(model=model, train=(x[:480], y[:480]), val=(x[480:], y[480:]), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=32)


def test_data_audit_block_matches_numpy_on_the_training_split() -> None:
    x, y = blobs()
    x = x * np.arange(1, 11, dtype=np.float32)
    report = nndoctor.checkup(_setup(x, y, mlp(10, 3)), select=["D"])
    block = report.telemetry["data_audit"]
    train_x, train_y = x[:480], y[:480]
    np.testing.assert_allclose(block["feature_std"], train_x.std(axis=0), rtol=1e-3)
    np.testing.assert_allclose(block["feature_mean"], train_x.mean(axis=0), rtol=1e-3, atol=1e-4)
    expected = {str(c): n / len(train_y) for c, n in zip(*np.unique(train_y, return_counts=True))}
    assert block["class_shares"] == expected
    assert block["overlap_share"] == 0.0


def test_validation_copied_from_training_shows_as_overlap() -> None:
    x, y = blobs()
    x[480:540], y[480:540] = x[:60], y[:60]
    report = nndoctor.checkup(_setup(x, y, mlp(10, 3)), select=["D"])
    assert report.telemetry["data_audit"]["overlap_share"] >= 60 / 120


def test_dead_units_at_init_show_in_the_dead_share_block() -> None:
    x, y = blobs()
    dead = mlp(10, 3)
    with torch.no_grad():
        dead[0].bias.fill_(-1e3)
    healthy = nndoctor.checkup(_setup(x, y, mlp(10, 3)), select=["M"]).telemetry
    broken = nndoctor.checkup(_setup(x, y, dead), select=["M"]).telemetry
    first_relu = lambda t: t["dead_share"]["values"][0][t["dead_share"]["layers"].index("1 (ReLU)")]
    assert first_relu(broken) == 1.0
    assert first_relu(healthy) < 0.5
    stds = dict(zip(broken["activations"]["layers"], broken["activations"]["std"][0]))
    assert stds["1 (ReLU)"] == 0.0


def test_checkup_report_draws_every_probe_plot() -> None:
    x, y = blobs()
    report = nndoctor.checkup(_setup(x, y, mlp(10, 3)))
    drawn = {f.key: f.error for f in render_figures(report.telemetry, report.findings)}
    assert {"activations", "unit_shares", "data_audit"} <= set(drawn)
    assert not any(drawn.values())


def test_probe_steps_block_counts_the_steps_each_training_probe_ran() -> None:
    x, y = blobs()
    report = nndoctor.checkup(_setup(x, y, mlp(10, 3)), select=["O402", "G602"])
    steps, telemetry = report.telemetry["probe_steps"], report.telemetry
    assert steps["trial"] == telemetry["trial"]["steps"] == len(telemetry["trial"]["step_losses"])
    assert steps["lr_range"] == len(telemetry["lr_range"]["lrs"])
    assert steps["forward_flops_per_sample"] == 2 * sum(p.numel() for p in mlp(10, 3).parameters())
