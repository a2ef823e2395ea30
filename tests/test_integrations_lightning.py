"""DoctorCallback inside a real Lightning Trainer (CPU, a few epochs of a tiny module)."""
from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from conftest import blobs

pl = pytest.importorskip("lightning.pytorch")
from nndoctor.integrations.lightning import DoctorCallback  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models run fastest on one thread; several oversubscribe a shared CI machine (10x slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class Classifier(pl.LightningModule):
    def __init__(self, softmax_output: bool = False) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3))
        self.softmax_output = softmax_output

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.net(x)
        return out.softmax(-1) if self.softmax_output else out

    def training_step(self, batch, index):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, index):
        x, y = batch
        self.log("val_loss", F.cross_entropy(self(x), y))

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-2)


class Regressor(pl.LightningModule):
    """A second healthy shape: regression with MSE, SGD with momentum and a step schedule."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(1)
        self.net = nn.Sequential(nn.Linear(10, 16), nn.Tanh(), nn.Linear(16, 1))

    def training_step(self, batch, index):
        x, y = batch
        return F.mse_loss(self.net(x).squeeze(-1), y)

    def validation_step(self, batch, index):
        x, y = batch
        self.log("val_loss", F.mse_loss(self.net(x).squeeze(-1), y))

    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=0.05, momentum=0.9)
        return [opt], [torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)]


class Crashing(Classifier):
    def training_step(self, batch, index):
        if self.global_step == 7:
            raise RuntimeError("boom at step 7")
        return super().training_step(batch, index)


def loaders(regression: bool = False) -> tuple[DataLoader, DataLoader]:
    x, y = blobs(n=600)
    x, y = torch.tensor(x), torch.tensor(y)
    if regression:
        g = torch.Generator().manual_seed(0)
        y = x @ torch.randn(10, generator=g) / 3 + 0.1 * torch.randn(len(x), generator=g)
    torch.manual_seed(0)
    return (DataLoader(TensorDataset(x[:480], y[:480]), batch_size=32, shuffle=True),
            DataLoader(TensorDataset(x[480:], y[480:]), batch_size=120))


def fit(module: pl.LightningModule, callback: DoctorCallback, epochs: int = 4, regression: bool = False) -> None:
    train, val = loaders(regression)
    trainer = pl.Trainer(
        max_epochs=epochs, callbacks=[callback], accelerator="cpu", logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0,
    )
    trainer.fit(module, train, val)


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def lines():
    handler = Lines()
    logger = logging.getLogger(f"{pl.__name__}.nndoctor")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def warning_codes(report) -> set[str]:
    return {f.code for f in report.at_least("warning")}


def test_softmax_before_cross_entropy_is_reported(tmp_path: Path, lines: list[str]) -> None:
    callback = DoctorCallback(json=tmp_path / "doctor.json", html=tmp_path / "doctor.html", print_report=False)
    fit(Classifier(softmax_output=True), callback)
    assert callback.report is not None and callback.report.findings[0].code == "L301"
    saved = json.loads((tmp_path / "doctor.json").read_text())
    assert saved["mode"] == "watch" and saved["findings"][0]["code"] == "L301"
    assert (tmp_path / "doctor.html").stat().st_size > 1000
    assert any("[L301 double-softmax]" in line for line in lines), lines  # the live alert, through Lightning's logger
    # 4 epochs of 15 batches; the logged val_loss is what watch's curve rules read
    assert callback.report.telemetry["steps"] == 60
    assert len(callback.report.telemetry["logged"]["val_loss"]) == 4


def test_healthy_modules_stay_silent(lines: list[str]) -> None:
    callback = DoctorCallback(print_report=False)
    fit(Classifier(), callback)
    assert warning_codes(callback.report) == set(), callback.report.verdict()
    assert callback.report.telemetry["counters"].get("step_without_backward", 0) == 0
    assert not [line for line in lines if "fix:" in line]

    callback = DoctorCallback(print_report=False)
    fit(Regressor(), callback, regression=True)
    assert warning_codes(callback.report) == set(), callback.report.verdict()


def test_every_hook_is_removed_after_fit_and_after_a_crash(tmp_path: Path) -> None:
    backward = torch.autograd.backward
    module = Crashing()
    callback = DoctorCallback(json=tmp_path / "crash.json", print_report=False)
    with pytest.raises(RuntimeError, match="boom at step 7"):
        fit(module, callback)
    assert torch.autograd.backward is backward
    assert callback.report.extra["exception"] == "RuntimeError: boom at step 7"
    assert json.loads((tmp_path / "crash.json").read_text())["exception"] == "RuntimeError: boom at step 7"
    optimizer = callback.doctor.optimizers[0]
    assert "step" not in vars(optimizer) and "zero_grad" not in vars(optimizer)
    assert not module._forward_pre_hooks and not optimizer._optimizer_step_pre_hooks


def test_importing_nndoctor_imports_no_framework() -> None:
    code = (
        "import sys, nndoctor, nndoctor.integrations, nndoctor.integrations.distributed\n"
        "loaded = [m for m in ('lightning', 'pytorch_lightning', 'transformers', 'accelerate') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
