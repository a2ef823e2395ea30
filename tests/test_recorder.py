"""One recorder: every training loop nndoctor runs records through :class:`nndoctor.record.Recorder`,
and its numbers are the ones an independent calculation gives (and the ones watch records).
"""
from __future__ import annotations

import copy
import math

import pytest
import torch
from torch import nn

from nndoctor.checks.base import Context
from nndoctor.findings import Finding
from nndoctor.fix.remedies import clip_gradients
from nndoctor.fix.trials import baseline_candidate, run_trial
from nndoctor.probes import lr_range, overfit, trial
from nndoctor.record import Recorder
from nndoctor.watch.session import Doctor

from test_checks_optimisation import classification


@pytest.fixture
def recorders(monkeypatch) -> list[Recorder]:
    """Every Recorder built while the test runs, in order."""
    made: list[Recorder] = []
    original = Recorder.__init__

    def spy(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(Recorder, "__init__", spy)
    return made


def context() -> Context:
    return Context(setup=classification().resolve(), deadline=1e18)


def test_checkup_trial_records_through_the_recorder(recorders):
    result = trial.trial_probe(context(), trial.TrialConfig(steps=40, eval_points=4, min_steps=40))
    assert len(recorders) == 1
    record = recorders[0].record
    assert result.steps == record.steps == 40
    assert result.step_losses is record.step_losses and len(record.step_losses) == 40
    assert result.total_grad_norm is record.total_grad_norm and len(record.total_grad_norm) == 40
    assert result.train_eval is record.series("train_loss") and result.eval_steps == [0, 10, 20, 30, 40]
    assert result.update_ratios and record.update_steps == [1, 11, 21, 31]


def test_range_test_records_through_the_recorder(recorders):
    result = lr_range.lr_range_probe(context(), lr_range.RangeConfig(steps=40, min_steps=40))
    assert len(recorders) == 1
    record = recorders[0].record
    assert result.losses is record.step_losses and result.lrs is record.lrs
    assert len(result.lrs) == record.steps > 5
    assert result.lrs[0] == pytest.approx(1e-7) and all(b > a for a, b in zip(result.lrs, result.lrs[1:]))


def test_single_batch_overfit_and_regularisation_ab_record_through_the_recorder(recorders):
    ctx = context()
    result = overfit.single_batch_overfit(ctx.setup, trial.take_samples(ctx.batches("train"), 32),
                                          lambda: ctx.model_copy(seed=0), config=overfit.OverfitConfig(steps=60))
    attempt = result.at_user_lr
    record = recorders[0].record
    assert attempt.steps == record.steps > 0
    assert list(attempt.curve) == record.series("loss") and record.eval_steps[0] == 0
    assert isinstance(attempt, overfit.Attempt) and attempt.conclusive in (True, False)

    setup = classification(optimizer=lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.1)).resolve()
    before = len(recorders)
    ab = overfit.regularisation_probe(Context(setup=setup, deadline=1e18), overfit.OverfitConfig(regularisation_steps=20, min_steps=20))
    assert ab is not None and ab.steps == 20
    assert [r.record.steps for r in recorders[before:]] == [20, 20]


def test_fix_trials_record_through_the_recorder(recorders):
    setup = classification().resolve()
    baseline = run_trial(baseline_candidate(setup), setup, seed=0, steps=30)
    clipped = run_trial(clip_gradients(setup, Finding("O403", "warning", ""))[0], setup, seed=0, steps=30)
    assert [r.record.steps for r in recorders] == [30, 30]
    assert baseline.train_losses is recorders[0].record.step_losses and baseline.steps == 30
    assert recorders[1].clip_norm == 1.0 and clipped.train_losses is recorders[1].record.step_losses


def _data(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(16, 5, generator=generator), torch.randint(0, 3, (16,), generator=generator)


def test_recorded_step_numbers_match_an_independent_calculation():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3))
    twin = copy.deepcopy(model)
    lr = 0.1
    recorder = Recorder(model, torch.optim.SGD(model.parameters(), lr=lr), nn.functional.cross_entropy,
                        grads=True, update_every=1)
    for step in range(3):
        x, y = _data(step)
        loss = recorder.step(x, y)
        # independently: the loss, the gradients' norms, and plain SGD's update w -= lr * g on the twin
        twin.zero_grad()
        expected = nn.functional.cross_entropy(twin(x), y)
        expected.backward()
        grads = {n: p.grad.detach().clone() for n, p in twin.named_parameters()}
        assert loss == pytest.approx(float(expected.detach()), rel=1e-6)
        assert recorder.record.total_grad_norm[-1] == pytest.approx(float(torch.nn.utils.get_total_norm(list(grads.values()))), rel=1e-5)
        for name, p in twin.named_parameters():
            assert recorder.record.grad_norms[name][-1] == pytest.approx(float(grads[name].norm()), rel=1e-5)
            assert recorder.record.update_ratios[name][-1] == pytest.approx(lr * float(grads[name].norm()) / float(p.detach().norm()), rel=1e-4)
            with torch.no_grad():
                p -= lr * grads[name]
    assert recorder.record.lrs == [lr] * 3 and recorder.record.steps == 3


def test_a_non_finite_loss_is_recorded_without_a_step():
    model = nn.Linear(5, 3)
    before = copy.deepcopy(model.state_dict())
    recorder = Recorder(model, torch.optim.SGD(model.parameters(), lr=0.1), lambda out, y: out.sum() * math.inf, grads=True)
    assert math.isinf(recorder.step(*_data()))
    assert recorder.record.diverged_step == 1 and recorder.record.total_grad_norm == []
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_watch_and_the_recorder_measure_the_same_gradients_and_updates():
    """The user's loop under watch (every step sampled) and the same loop through the recorder: same numbers."""
    torch.manual_seed(0)
    watched = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))
    recorded = copy.deepcopy(watched)
    optimizer = torch.optim.SGD(watched.parameters(), lr=0.05)
    with Doctor(watched, optimizer, every=1, alerts=False) as doctor:
        for step in range(4):
            x, y = _data(step)
            optimizer.zero_grad()
            nn.functional.cross_entropy(watched(x), y).backward()
            optimizer.step()
    recorder = Recorder(recorded, torch.optim.SGD(recorded.parameters(), lr=0.05), nn.functional.cross_entropy,
                        grads=True, update_every=1)
    for step in range(4):
        recorder.step(*_data(step))
    t = doctor.telemetry
    assert t.total_grad_norm == pytest.approx(recorder.record.total_grad_norm, rel=1e-6)
    assert t.train_loss == pytest.approx(recorder.record.step_losses, rel=1e-6)
    for name, ratios in recorder.record.update_ratios.items():
        assert t.update_ratios[name] == pytest.approx(ratios, rel=1e-6)
