"""`nndoctor run` on plain loops: the LR and loop-bug findings reach run mode and rank as causes.

Each fault script is a plain loop (no DataLoader, no nndoctor import) run through
``run_script``; each is paired with the same loop made healthy, which must stay silent.
"""
from __future__ import annotations

import textwrap

import pytest

from nndoctor.diagnosis import rank
from nndoctor.findings import Finding, Severity
from nndoctor.verdicts.curves import (
    FAST_UPDATE,
    HEALTHY_UPDATE,
)
from nndoctor.verdicts.optimisation import (
    LearningRateEvidence,
    LossCurve,
    learning_rate,
)
from nndoctor.watch.run import run_script

LOOP = """
import torch
from torch import nn

torch.manual_seed(0)
X = torch.randn(960, 8)
y = X @ torch.randn(8) + 0.1 * torch.randn(960)
model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr={lr})
loss_fn = nn.MSELoss()
for epoch in range({epochs}):
    perm = torch.randperm(960)
    for i in range(0, 960, 32):
        idx = {index}
        optimizer.zero_grad()
        loss = loss_fn(model(X[idx]).squeeze(-1), y[idx])
        loss.backward()
        optimizer.step()
print("done", loss.item())
"""
NEXT_BATCH = "perm[i:i + 32]"
SAME_BATCH = "perm[:32]"  # new indices each epoch, the same batch on every step within it


def run_loop(tmp_path, lr: float, index: str = NEXT_BATCH, epochs: int = 10) -> list[Finding]:
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(LOOP.format(lr=lr, index=index, epochs=epochs)))
    outcome = run_script(str(script), alerts=False, exam=False)
    assert outcome.exit_status == 0
    return outcome.report.findings


def loud(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings if f.severity.at_least(Severity.WARNING)]


@pytest.fixture(scope="module")
def healthy(tmp_path_factory) -> list[Finding]:
    return run_loop(tmp_path_factory.mktemp("healthy"), 1e-3)


def test_a_tiny_lr_is_the_cause_of_the_flat_loss_it_makes(tmp_path):
    findings = run_loop(tmp_path, 3e-6)
    assert loud(findings)[0] == "O402"
    ratio = findings[0].evidence["median_update_ratio"]
    assert ratio < HEALTHY_UPDATE / 10  # Adam moves each weight by about lr: 3e-6 on weights of ~0.2
    for symptom in (f for f in findings if f.code in ("O406", "O412", "G602")):
        assert symptom.explained_by is not None


def test_the_same_batch_on_every_step_is_a_warning_when_the_data_holds_more(tmp_path):
    findings = run_loop(tmp_path, 1e-3, SAME_BATCH)
    same = [f for f in findings if f.code == "T506"]
    assert same and same[0].severity is Severity.WARNING and same[0].evidence["distinct_batches"] > 1


def test_full_batch_training_stays_advice(tmp_path):
    findings = run_loop(tmp_path, 1e-3, "slice(None)", epochs=2)  # the whole data set on every step, on purpose
    assert "T506" not in loud(findings)


def test_the_healthy_loop_is_silent(healthy):
    assert not {"O401", "O402", "O406", "T506", "O408"} & set(loud(healthy))


def _curve(values: list[float], reference: float | None = None) -> LossCurve:
    return LossCurve(values=tuple(values), source="per-step", steps=300, span="over 300 steps", reference=reference)


def test_steps_far_above_the_rule_of_thumb_on_a_flat_loss_are_a_too_high_lr():
    flat = _curve([1.40, 1.39, 1.387, 1.39, 1.386, 1.388, 1.387, 1.386, 1.387, 1.386], reference=1.386)
    found = learning_rate(LearningRateEvidence(lr=0.2, optimizer="AdamW", curve=flat, update_ratio=0.09, last_update_ratio=0.05))
    assert [f.code for f in found] == ["O401"] and "overshoot" in found[0].message
    # the same flat loss with healthy steps is not the LR's doing (mispaired labels, say), nor mid-run
    assert learning_rate(LearningRateEvidence(lr=1e-3, optimizer="AdamW", curve=flat, update_ratio=2e-3, last_update_ratio=2e-3)) == []
    assert learning_rate(LearningRateEvidence(lr=0.2, optimizer="AdamW", curve=flat, update_ratio=0.09, last_update_ratio=0.05,
                                              final=False)) == []
    # a falling loss with large steps is a fast run, not an overshooting one
    falling = _curve([2.0, 1.6, 1.3, 1.1, 0.9, 0.8, 0.7, 0.6, 0.55, 0.5], reference=2.3)
    assert learning_rate(LearningRateEvidence(lr=0.01, optimizer="Adam", curve=falling, update_ratio=2 * FAST_UPDATE,
                                              last_update_ratio=2 * FAST_UPDATE)) == []


def _clip(cut: float) -> Finding:
    return Finding("O408", Severity.WARNING, "clip", {"median_pre_clip_norm": cut, "max_norm": 1.0})


def test_a_mild_clip_does_not_explain_an_lr_a_hundred_times_too_small():
    slow = Finding("O402", Severity.WARNING, "slow", {"median_update_ratio": 7e-6})
    assert rank([_clip(1.8), slow])[0].code == "O402"
    slow = Finding("O402", Severity.WARNING, "slow", {"median_update_ratio": 7e-6})
    # a clip that cuts every step 100x does set the step size: without it the steps would be 7e-4
    ordered = rank([_clip(100.0), slow])
    assert ordered[0].code == "O408" and ordered[1].explained_by == "O408"


SCHEDULED = """
import torch
from torch import nn

torch.manual_seed(0)
X = torch.randn(640, 8)
y = X @ torch.randn(8)
model = nn.Linear(8, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
scheduler = torch.optim.lr_scheduler.{scheduler}
for epoch in range(14):
    for i in range(0, 640, 32):
        optimizer.zero_grad()
        nn.functional.mse_loss(model(X[i:i + 32]).squeeze(-1), y[i:i + 32]).backward()
        optimizer.step()
        {per_batch}
    {per_epoch}
"""


def run_schedule(tmp_path, scheduler: str, per_batch: bool) -> list[Finding]:
    script = tmp_path / "train.py"
    stepped = "scheduler.step()"
    script.write_text(textwrap.dedent(SCHEDULED.format(scheduler=scheduler, per_batch=stepped if per_batch else "pass",
                                                       per_epoch="pass" if per_batch else stepped)))
    outcome = run_script(str(script), alerts=False, exam=False)
    assert outcome.exit_status == 0
    return outcome.report.findings


def test_epoch_milestones_stepped_per_batch_leave_most_of_the_run_two_decades_below_the_lr(tmp_path):
    findings = run_schedule(tmp_path, "MultiStepLR(optimizer, milestones=[20, 26], gamma=0.1)", per_batch=True)
    schedule = [f for f in findings if f.code == "O411"]
    assert schedule and schedule[0].evidence["onset_step"] == 26 and schedule[0].evidence["final_lr"] == pytest.approx(0.05 * 0.1 * 0.1)


@pytest.mark.parametrize("scheduler", ["StepLR(optimizer, step_size=1, gamma=0.7)",
                                       "MultiStepLR(optimizer, milestones=[7, 10], gamma=0.1)",
                                       "CosineAnnealingLR(optimizer, T_max=14)"])
def test_ordinary_per_epoch_decays_are_silent(tmp_path, scheduler):
    assert "O411" not in [f.code for f in run_schedule(tmp_path, scheduler, per_batch=False)]


LOADER_LOOP = """
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X = torch.randn(960, 8)
y = (X[:, 0] + X[:, 1] > 0).long()
loader = DataLoader(TensorDataset(X, y), batch_size=96, shuffle=True)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 2))
optimizer = torch.optim.SGD(model.parameters(), lr={lr}, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(12):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
print("done", loss.item())
"""


def test_run_names_the_lr_as_why_the_weights_never_moved(tmp_path):
    """SGD at 1e-7: the run sees a flat loss under frozen weights and asks its exam for the range
    test on a copy, which ties the frozen weights to the LR: O402 is the root, the plateau its symptom."""
    script = tmp_path / "train.py"
    script.write_text(LOADER_LOOP.format(lr=1e-7))
    outcome = run_script(str(script), alerts=False)
    assert outcome.exit_status == 0
    findings = outcome.report.findings
    assert loud(findings)[0] == "O402"
    root = findings[0]
    assert root.evidence["weights_frozen"] is True and root.evidence["suggested_lr"] >= 30 * 1e-7
    assert next(f for f in findings if f.code == "O406").explained_by == "O402"


def test_run_does_not_ask_for_the_range_test_when_the_weights_move(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(LOADER_LOOP.format(lr=0.05))
    outcome = run_script(str(script), alerts=False, exam=False)
    assert "O402" not in (outcome.report.extra.get("exam_requests") or [])
    assert not {"O402", "O406"} & set(loud(outcome.report.findings))


LINEAR_ON_RINGS = """
import math
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
angle = torch.rand(800) * 2 * math.pi
y = (torch.rand(800) < 0.5).long()
radius = torch.where(y == 1, 0.5, 1.0) + 0.05 * torch.randn(800)
X = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
model = nn.Sequential(nn.Linear(2, 64), nn.Linear(64, 64), nn.Linear(64, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(8):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
print("done", loss.item())
"""


def test_run_asks_its_exam_to_overfit_one_batch_when_the_loss_stays_at_the_prior(tmp_path):
    """Stacked Linear layers are one linear map: on two rings the loss stays at the prior's level. The run cannot
    tell capacity from other causes; the exam's single-batch overfit on a copy can, and fails at every LR tried."""
    script = tmp_path / "train.py"
    script.write_text(LINEAR_ON_RINGS)
    outcome = run_script(str(script), alerts=False)
    findings = outcome.report.findings
    assert "G602" in (outcome.report.extra.get("exam_requests") or [])
    assert loud(findings)[0] == "G602" and findings[0].evidence.get("at_any_lr") is True
    assert all(f.explained_by is not None for f in findings if f.code == "O406")


def test_warm_restarts_stepped_per_batch_with_a_fractional_epoch_are_silent(tmp_path):
    """CosineAnnealingWarmRestarts defines its own step(): the documented per-batch use
    (``scheduler.step(epoch + i / iters)``) raises the LR at each restart on purpose."""
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(SCHEDULED.format(
        scheduler="CosineAnnealingWarmRestarts(optimizer, T_0=4)", per_batch="scheduler.step(epoch + i / 640)",
        per_epoch="pass")))
    outcome = run_script(str(script), alerts=False, exam=False)
    assert outcome.exit_status == 0
    assert "O411" not in loud(outcome.report.findings)
