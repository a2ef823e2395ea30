"""D101/D102 judge what the first weight layer multiplies, also when the model standardises inside ``forward``."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import blobs
from data_fixtures import of, raised, run_data_checks
from torch import nn

import nndoctor
from nndoctor import Severity
from nndoctor.watch.instrument import instrumented


class Standardised(nn.Module):
    """An MLP that standardises its raw input with stored statistics (buffers) before its first Linear."""

    def __init__(self, mean: np.ndarray, std: np.ndarray, classes: int = 3) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Linear(len(mean), 32), nn.ReLU(), nn.Linear(32, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((x - self.mean) / self.std)


def raw_features() -> tuple[np.ndarray, np.ndarray]:
    """Blobs with a 'year' column (offset 2000) and a column in other units (x 1000)."""
    x, y = blobs()
    x[:, 4] = x[:, 4] * 0.5 + 2000.0
    x[:, 2] *= 1e3
    return x[:480], y[:480]


def setup_for(model: nn.Module, x: np.ndarray, y: np.ndarray) -> nndoctor.Setup:
    return nndoctor.Setup(model=model, train=(x, y), loss=nn.CrossEntropyLoss())


# -- checkup ------------------------------------------------------------------------------
def test_checkup_silent_when_forward_standardises_with_stored_statistics():
    x, y = raw_features()
    model = Standardised(x.mean(0), x.std(0))
    assert not {"D101", "D102"} & raised(run_data_checks(setup_for(model, x, y), "D101", "D102"), "info")


def test_checkup_fires_when_the_stored_statistics_leave_the_scale_as_it_was():
    x, y = raw_features()
    model = Standardised(np.zeros(x.shape[1]), np.ones(x.shape[1]))  # the transform is there, but changes nothing
    findings = run_data_checks(setup_for(model, x, y), "D101", "D102")
    assert {"D101", "D102"} <= raised(findings)
    assert of(findings, "D101")[0].evidence["off_scale_indices"] == [2, 4]


def test_checkup_judges_a_rescale_inside_forward_by_what_the_layer_receives():
    """Standardised data blown up inside ``forward``: the loader's batch is fine, the first Linear's input is not."""
    x, y = blobs()
    x, y = x[:480], y[:480]
    x = (x - x.mean(0)) / x.std(0)

    class Blown(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            torch.manual_seed(0)
            self.net = nn.Sequential(nn.Linear(x.shape[1], 32), nn.ReLU(), nn.Linear(32, 3))

        def forward(self, inputs: torch.Tensor) -> torch.Tensor:
            return self.net(inputs * 255.0)

    assert "D101" not in raised(run_data_checks(setup_for(mlp_like(x.shape[1]), x, y), "D101"), "info")
    (finding,) = of(run_data_checks(setup_for(Blown(), x, y), "D101"), "D101")
    assert finding.severity is Severity.WARNING
    seen = x * 255.0  # independent: the first Linear's input over the sample batches
    assert finding.evidence["std"] == pytest.approx(float(seen.std()), rel=0.05)
    assert "first weight layer" in finding.evidence["scope"]


def mlp_like(inputs: int) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(inputs, 32), nn.ReLU(), nn.Linear(32, 3))


# -- watch --------------------------------------------------------------------------------
def train_loop(model: nn.Module, x: np.ndarray, y: np.ndarray, epochs: int = 4) -> None:
    """A plain loop as a script writes it (the watch sees its forwards, losses and steps)."""
    torch.manual_seed(0)
    X, Y = torch.tensor(x, dtype=torch.float32), torch.tensor(y)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(epochs):
        for i in range(0, len(X), 32):
            loss = F.cross_entropy(model(X[i:i + 32]), Y[i:i + 32])
            opt.zero_grad()
            loss.backward()
            opt.step()


def watched_codes(model: nn.Module, x: np.ndarray, y: np.ndarray) -> tuple[set[str], nndoctor.Doctor]:
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            train_loop(model, x, y)
    finally:
        doctor.stop()
    assert doctor.telemetry.internal_errors == []
    return {f.code for f in doctor.findings() if f.severity.at_least(Severity.WARNING)}, doctor


def test_watch_silent_when_forward_standardises_with_stored_statistics():
    x, y = raw_features()
    loud, doctor = watched_codes(Standardised(x.mean(0), x.std(0)), x, y)
    assert not {"D101", "D102"} & loud
    assert doctor.telemetry.weight_inputs and doctor.telemetry.inputs


def test_watch_fires_when_the_stored_statistics_leave_the_scale_as_it_was():
    x, y = raw_features()
    loud, _ = watched_codes(Standardised(np.zeros(x.shape[1]), np.ones(x.shape[1])), x, y)
    assert "D101" in loud


def test_watch_takes_the_first_linear_input_not_a_later_one():
    """The captured tensor is the input of the first Linear of each forward (compared with the batch itself)."""
    x, y = raw_features()
    model = Standardised(x.mean(0), x.std(0))
    _, doctor = watched_codes(model, x, y)
    expected = (x - x.mean(0)) / x.std(0)
    for entry in doctor.telemetry.weight_inputs:
        assert entry["shape"][1] == x.shape[1]
        assert abs(entry["mean"] - float(expected.mean())) < 0.3 and abs(entry["std"] - 1.0) < 0.3


class WindowScaled(nn.Module):
    """A forecaster's classifier: each window scaled by its own mean and spread inside ``forward``, a derived channel
    (the position's phase) stacked beside it, so the first weight layer gets twice the batch's values per sample."""

    def __init__(self, length: int, scale_inside: bool, classes: int = 3) -> None:
        super().__init__()
        self.scale_inside = scale_inside
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(2 * length, 32), nn.ReLU(), nn.Linear(32, classes))
        self.register_buffer("phase", torch.sin(torch.arange(length) / 4.0))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = (x - x.mean(1, keepdim=True)) / (x.std(1, keepdim=True) + 1e-3) if self.scale_inside else x
        return self.net(torch.stack([z, self.phase.expand_as(z)], -1))


def test_watch_reads_a_window_scaled_inside_forward_beside_a_stacked_channel():
    x, y = blobs()
    x = np.abs(x[:480]) * 50.0 + 200.0  # raw loads: offset 200, spread 50
    assert not {"D101", "D102"} & watched_codes(WindowScaled(x.shape[1], True), x, y[:480])[0]
    assert "D101" in watched_codes(WindowScaled(x.shape[1], False), x, y[:480])[0]
