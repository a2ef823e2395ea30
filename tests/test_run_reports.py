"""The renderers on real reports: a script run by `nndoctor run`, and a loop inside `nndoctor.watch`.

Every plot and every TensorBoard series here comes from telemetry nndoctor recorded while a
real training loop ran (no hand-built telemetry): the HTML report must draw the loss curve,
the per-layer gradient norms and the dead-unit shares, and TensorBoard's own reader must find
the loss values the JSON report holds (issue 13, item 9).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import torch
from torch import nn

import nndoctor
from nndoctor.render.html import render_html
from nndoctor.render.plots import normalise, render_figures

TRAIN = '''import torch
from torch import nn

torch.manual_seed(0)
inputs = torch.randn(512, 20)
labels = (inputs[:, :3].sum(1) > 0).long()
train_x, train_y, val_x, val_y = inputs[:384], labels[:384], inputs[384:], labels[384:]

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(4):
    model.train()
    for i in range(0, len(train_x), 32):
        optimizer.zero_grad()
        loss = criterion(model(train_x[i:i + 32]), train_y[i:i + 32])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val_loss = criterion(model(val_x), val_y).item()
    print(f"epoch {epoch} val_loss {val_loss:.4f}")
'''


@pytest.fixture(scope="module")
def run_outputs(tmp_path_factory):
    """`nndoctor run --json --html --tensorboard` on TRAIN, once for the module's tests."""
    folder = tmp_path_factory.mktemp("run")
    script = folder / "train.py"
    script.write_text(TRAIN)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, "-m", "nndoctor.cli", "run", "--json", "report.json", "--html", "report.html",
                           "--tensorboard", "tb", str(script)], capture_output=True, text=True, cwd=folder, env=env, timeout=180)
    assert done.returncode == 0, done.stderr
    return folder, json.loads((folder / "report.json").read_text())


def figures_in(html: str) -> dict[str, str]:
    """{plot key: its <figure> markup} of an HTML report."""
    return dict(re.findall(r'<figure id="plot-([a-z_]+)">(.*?)</figure>', html, flags=re.S))


def test_run_html_report_draws_the_loss_curve_gradients_and_units(run_outputs):
    folder, report = run_outputs
    assert report["trained"] is True and report["telemetry"]["steps"] == 48
    html = (folder / "report.html").read_text()
    assert "could not draw" not in html
    figures = figures_in(html)
    assert {"loss_curve", "grad_norms", "unit_shares"} <= set(figures)
    for key in ("loss_curve", "grad_norms", "unit_shares"):
        assert '<img src="data:image/svg+xml;base64,' in figures[key], key


def test_run_tensorboard_events_hold_the_reports_loss_and_gradients(run_outputs):
    pytest.importorskip("tensorboard", reason="the optional extra nndoctor[tensorboard] is not installed")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    folder, report = run_outputs
    events = EventAccumulator(str(folder / "tb"), size_guidance={"scalars": 0, "histograms": 0, "tensors": 0})
    events.Reload()
    telemetry = report["telemetry"]
    train = events.Scalars("loss/train")
    assert [e.step for e in train] == telemetry["step_loss_steps"] and len(train) == 48
    assert [e.value for e in train] == pytest.approx(telemetry["step_losses"], rel=1e-6)
    scalars = set(events.Tags()["scalars"])
    assert {"grad_norm/0.weight", "grad_norm/4.bias", "grad_norm/total", "dead_share/1", "dead_share/3"} <= scalars
    first_layer = events.Scalars("grad_norm/0.weight")
    assert [e.step for e in first_layer] == telemetry["grad_steps"]
    assert [e.value for e in first_layer] == pytest.approx(telemetry["grad_norms"]["0.weight"], rel=1e-5)
    assert "grad_norm/log10_across_layers" in events.Tags()["histograms"]


def watched_report() -> nndoctor.Report:
    """A loop with its own validation pass, watched with the context manager."""
    torch.manual_seed(0)
    inputs = torch.randn(320, 8)
    targets = inputs[:, :2].sum(1, keepdim=True)
    model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    criterion = nn.MSELoss()
    with nndoctor.watch(model, optimizer, alerts=False) as doctor:
        for epoch in range(3):
            model.train()
            for i in range(0, 256, 16):
                optimizer.zero_grad()
                loss = criterion(model(inputs[i:i + 16]), targets[i:i + 16])
                loss.backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                criterion(model(inputs[256:]), targets[256:])
    return doctor.report()


def test_watch_report_plots_train_and_validation_loss_at_their_steps():
    report = watched_report()
    telemetry = report.telemetry
    assert telemetry["val_loss"], "the loop's validation loss was recorded"
    curve = normalise(telemetry)["loss_curve"]
    assert curve["step"] == telemetry["step_loss_steps"] and curve["train"] == telemetry["step_losses"]
    assert curve["val_step"] == telemetry["val_steps"] and curve["val"] == telemetry["val_loss"]
    figures = {f.key: f for f in render_figures(telemetry, report.findings)}
    assert {"loss_curve", "grad_norms"} <= set(figures)
    assert all(f.src and f.error is None for f in figures.values()), [f.error for f in figures.values()]
    html = render_html(report)
    assert "could not draw" not in html and "Healthy" in html


def test_normalising_twice_changes_nothing():
    telemetry = watched_report().telemetry
    once = normalise(telemetry)
    assert normalise(once) == once
