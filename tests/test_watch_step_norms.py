"""watch's per-step gradient norm (O403): an explosion between two sampled steps is seen, a healthy loop stays quiet.

Each number is checked against an independent float64 computation taken by the test's own
optimizer hook, and the watched loop must end with the very weights of an unwatched run.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

import nndoctor
from nndoctor import Severity
from nndoctor.diagnosis import rank
from nndoctor.record.measure import grad_norms, total_grad_norm
from nndoctor.verdicts.curves import EXPLODING_GROWTH
from nndoctor.verdicts.optimisation import (
    GradientHistory,
    exploding_gradients,
)
from nndoctor.watch import telemetry as telemetry_module
from nndoctor.watch.instrument import instrumented
from nndoctor.watch.session import DEFAULT_EVERY

STEPS = 140
# Steps 60-74 lie between the sample points at 50 and 100: only a per-step measurement sees them.
OUTLIER_STEPS = range(60, 75)


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def train(outliers: bool, clip: float | None = None, reference: list[float] | None = None, closure: bool = False) -> nn.Module:
    """A small regression MLP under Adam; with ``outliers`` fifteen batches arrive a thousand times too large.

    Adam bounds each step by its LR, so the loss stays finite while the gradient explodes.
    ``reference`` collects the float64 gradient norm of every step (the test's own hook: before
    the step, or after it when ``closure`` computes the gradients inside ``step()``, as Lightning does).
    """
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    if reference is not None:
        def record(opt: torch.optim.Optimizer, args: tuple, kwargs: dict) -> None:
            grads = [p.grad.double() for g in opt.param_groups for p in g["params"] if p.grad is not None]
            reference.append(math.sqrt(sum(float((g * g).sum()) for g in grads)))

        (optimizer.register_step_post_hook if closure else optimizer.register_step_pre_hook)(record)
    w = torch.linspace(-1, 1, 8)
    for step in range(STEPS):
        x = torch.randn(32, 8)
        y = (x @ w).unsqueeze(1)
        if outliers and step in OUTLIER_STEPS:
            x = x * 1e3

        def forward_backward() -> torch.Tensor:
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            return loss

        if closure:
            optimizer.step(forward_backward)
        else:
            forward_backward()
            optimizer.step()
    return model


def watched(**kwargs) -> nndoctor.Doctor:
    """Run ``train`` the way ``nndoctor run`` watches a script."""
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            train(**kwargs)
    finally:
        doctor.stop()
    return doctor


def o403(doctor: nndoctor.Doctor) -> list[nndoctor.Finding]:
    return [f for f in doctor.findings() if f.code == "O403"]


def test_an_explosion_between_sample_points_is_found_from_every_steps_norm():
    reference: list[float] = []
    doctor = watched(outliers=True, reference=reference)
    t = doctor.telemetry
    assert DEFAULT_EVERY == 50 and t.step_grad_steps == list(range(STEPS))
    assert t.step_grad_norm == pytest.approx(reference, rel=1e-5)
    # the sampled steps alone never see it ...
    assert not set(t.grad_steps) & set(OUTLIER_STEPS)
    assert max(t.total_grad_norm) < 10 * t.total_grad_norm[0]
    # ... every step's norm does, by the reference's own growth
    findings = o403(doctor)
    assert len(findings) == 1 and "measured every step" in findings[0].message
    expected = float(max(np.median(reference[i:i + 5]) for i in range(5, len(reference) - 4)) / np.median(reference[:5]))
    assert expected >= EXPLODING_GROWTH
    assert findings[0].evidence["growth"] == pytest.approx(expected, rel=1e-5)
    assert findings[0].evidence["samples"] == STEPS


def test_a_loop_that_steps_through_a_closure_has_every_steps_norm_too():
    reference: list[float] = []
    doctor = watched(outliers=True, reference=reference, closure=True)
    assert doctor.telemetry.step_grad_norm == pytest.approx(reference, rel=1e-5) and len(reference) == STEPS
    findings = o403(doctor)
    assert len(findings) == 1 and "measured every step" in findings[0].message
    quiet: list[float] = []
    healthy = watched(outliers=False, reference=quiet, closure=True)
    assert healthy.telemetry.step_grad_norm == pytest.approx(quiet, rel=1e-5) and o403(healthy) == []


def test_a_healthy_loop_is_quiet_and_its_weights_are_untouched():
    reference: list[float] = []
    doctor = watched(outliers=False, reference=reference)
    assert doctor.telemetry.step_grad_norm == pytest.approx(reference, rel=1e-5)
    assert o403(doctor) == []
    watched_model = nndoctor.Doctor(alerts=False)
    watched_model.start()
    try:
        with instrumented(watched_model):
            seen = train(outliers=True)
    finally:
        watched_model.stop()
    plain = train(outliers=True)
    assert all(torch.equal(a, b) for a, b in zip(seen.state_dict().values(), plain.state_dict().values()))


def test_a_loop_that_clips_by_norm_is_read_from_its_own_clip_calls():
    doctor = watched(outliers=True, clip=1.0)
    t = doctor.telemetry
    assert t.step_grad_norm == [] and len(t.clip_calls) == STEPS
    findings = o403(doctor)
    assert len(findings) == 1 and findings[0].message.startswith("The pre-clipping gradient norm grew")


def test_total_grad_norm_matches_float64_on_mixed_and_sparse_gradients():
    torch.manual_seed(1)
    dense = [torch.randn(5, 3), torch.randn(7, dtype=torch.float64), torch.randn(4, dtype=torch.bfloat16)]
    sparse = torch.sparse_coo_tensor(check_invariants=True, indices=torch.tensor([[0, 2, 0]]), values=torch.tensor([3.0, 4.0, 1.0]), size=(5,))
    expected = math.sqrt(sum(float(g.double().pow(2).sum()) for g in dense) + 4.0 ** 2 + 4.0 ** 2)  # index 0 holds 3 + 1
    got = total_grad_norm([*dense, sparse])
    assert got.dtype == torch.float32 and got.dim() == 0
    assert float(got) == pytest.approx(expected, rel=1e-3)


def test_per_parameter_grad_norms_read_a_sparse_embedding_gradient():
    """An ``EmbeddingBag(sparse=True)`` hands its table a sparse gradient; its norm counts the rows a batch touched."""
    bag = nn.EmbeddingBag(50, 4, mode="sum", sparse=True)
    bag(torch.tensor([[1, 3, 3], [7, 1, 9]])).pow(2).sum().backward()
    names, norms = grad_norms(list(bag.named_parameters()))
    assert bag.weight.grad.is_sparse and names == ["weight"]
    assert float(norms[0]) == pytest.approx(float(bag.weight.grad.to_dense().double().norm()), rel=1e-5)


SPARSE_SCRIPT = """
import torch
from torch import nn



class Bag(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed, self.fc = nn.EmbeddingBag(300, 16, sparse=True), nn.Linear(16, 3)

    def forward(self, text):
        return self.fc(self.embed(text))


torch.manual_seed(0)
tokens, labels = torch.randint(0, 300, (256, 12)), torch.randint(0, 3, (256,))
model = Bag()
sparse_opt = torch.optim.SparseAdam(list(model.embed.parameters()), lr=1e-2)
dense_opt = torch.optim.Adam(model.fc.parameters(), lr=1e-2)
for epoch in range(3):
    for i in range(0, 256, 32):
        sparse_opt.zero_grad(); dense_opt.zero_grad()
        loss = nn.functional.cross_entropy(model(tokens[i:i + 32]), labels[i:i + 32])
        loss.backward()
        sparse_opt.step(); dense_opt.step()
print("done")
"""


def test_a_run_with_a_sparse_embedding_table_completes_every_check(tmp_path):
    from nndoctor.watch.run import run_script

    script = tmp_path / "sparse_bag.py"
    script.write_text(SPARSE_SCRIPT)
    outcome = run_script(str(script), alerts=False)
    assert outcome.exit_status == 0 and not outcome.report.failures, outcome.report.failures
    exam = outcome.report.extra["exam"]
    assert exam and not exam.get("failures"), exam


def test_a_long_run_keeps_a_bounded_series_at_a_doubled_stride(monkeypatch):
    monkeypatch.setattr(telemetry_module, "MAX_STEP_NORMS", 64)
    doctor = watched(outliers=False)
    t = doctor.telemetry
    assert t.step_norm_stride == 4 and 32 <= len(t.step_grad_norm) <= 64
    assert all(step % t.step_norm_stride == 0 for step in t.step_grad_steps)
    assert t.step_grad_steps == sorted(t.step_grad_steps)


def _explosion(onset: int) -> nndoctor.Finding:
    """O403 from its verdict: a gradient norm of 1 until ``onset``, a thousand from then on."""
    norms = [1.0] * onset + [1e3] * (40 - onset)
    (finding,) = exploding_gradients(GradientHistory(norms=tuple(norms), span="over 40 steps", steps=tuple(range(40))))
    assert finding.evidence["onset_step"] == onset
    return finding


@pytest.mark.parametrize(("onset", "spike", "root"), [(10, 10, "O407"), (12, 10, "O407"), (10, 11, "O403")])
def test_the_loss_spiking_first_explains_the_gradients_but_a_gradient_that_exploded_first_stands(onset, spike, root):
    bouncing = nndoctor.Finding("O407", Severity.WARNING, "The train loss jumped.", {"shape": "spikes", "first_spike_step": spike})
    ranked = rank([_explosion(onset), bouncing])
    assert ranked[0].code == root
    assert ranked[1].explained_by == (root if root == "O407" else None)


def test_without_the_explosions_onset_no_order_is_assumed():
    (finding,) = exploding_gradients(GradientHistory(norms=(1.0,) * 10 + (1e3,) * 30, span="during the trial"))
    assert finding.evidence["onset_step"] is None
    bouncing = nndoctor.Finding("O407", Severity.WARNING, "The train loss jumped.", {"shape": "spikes", "first_spike_step": 3})
    assert [f.explained_by for f in rank([finding, bouncing])] == [None, None]


@pytest.mark.parametrize(("loss_at_onset", "root"), [(1.2, "O403"), (2e3, "O401")])
def test_a_gradient_that_outran_the_loss_is_the_root_of_the_later_nonfinite_loss(loss_at_onset, root):
    # the gradient is 1000x its start at step 10; the loss there is 1.2x its start (a cliff) or 2000x (thrown up the walls)
    losses = {step: 1.0 for step in range(10)} | {10: loss_at_onset}
    norms = [1.0] * 10 + [1e3] * 30
    (explosion,) = exploding_gradients(GradientHistory(norms=tuple(norms), span="over 40 steps", steps=tuple(range(40)),
                                                       loss_at=losses))
    assert explosion.evidence["growth_at_onset"] == pytest.approx(1e3)
    assert explosion.evidence["loss_growth_at_onset"] == pytest.approx(loss_at_onset)
    diverged = nndoctor.Finding("O401", Severity.ERROR, "step 20: loss became +Inf", {"nonfinite": True})
    ranked = rank([diverged, explosion])
    assert ranked[0].code == root and ranked[1].explained_by == root
