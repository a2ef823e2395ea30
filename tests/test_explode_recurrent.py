"""O403 against O401 in a run: a recurrent net stepped by unclipped SGD blows up on a cliff (clipping cures it),
anything else that diverges with its gradient does so because of the LR.

The unit tests build both findings from their verdicts; the watched loops train real models
(an Elman RNN under SGD with momentum, with and without clipping, and a linear model at an LR
far above 2 / the largest curvature of its quadratic loss, computed here with numpy).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import nndoctor
from nndoctor import Severity
from nndoctor.diagnosis import rank
from nndoctor.verdicts.optimisation import GradientHistory, exploding_gradients
from nndoctor.watch.instrument import instrumented


def _explosion(recurrent: tuple[str, ...], optimizer: str, loop_clips: bool, fell: bool = True) -> nndoctor.Finding:
    """O403 whose loss grew with its gradient (x1000 each at the onset): the onset alone names no cliff.

    ``fell``: the loss halved over the steps before the onset (the LR trained), else it doubled every step.
    """
    norms = (1.0,) * 10 + (1e3,) * 30
    before = [1.0 - 0.05 * step for step in range(10)] if fell else [2.0 ** step for step in range(10)]
    losses = dict(enumerate(before)) | {10: 1e3 * before[0]}
    (finding,) = exploding_gradients(GradientHistory(
        norms=norms, span="over 40 steps", steps=tuple(range(40)), loss_at=losses,
        recurrent=recurrent, optimizer=optimizer, loop_clips=loop_clips,
    ))
    assert finding.evidence["lowest_loss_before_onset"] == pytest.approx(min(before[1:]) / before[0])
    return finding


@pytest.mark.parametrize(("recurrent", "optimizer", "loop_clips", "fell", "root"), [
    (("rnn",), "SGD", False, True, "O403"),
    (("encoder.lstm",), "SGD", False, True, "O403"),
    ((), "SGD", False, True, "O401"),          # no recurrence: no cliff through time, the LR overshoots
    (("rnn",), "Adam", False, True, "O401"),   # an adaptive step is bounded whatever the gradient
    (("rnn",), "SGD", True, True, "O401"),     # the loop already clips and still diverged
    (("rnn",), "SGD", False, False, "O401"),   # the loss rose from the first step: above the stable LR
])
def test_an_unclipped_recurrent_net_under_sgd_blames_the_explosion_not_the_lr(recurrent, optimizer, loop_clips, fell, root):
    diverged = nndoctor.Finding("O401", Severity.ERROR, "step 20: loss became +Inf", {"nonfinite": True, "optimizer": optimizer})
    ranked = rank([diverged, _explosion(recurrent, optimizer, loop_clips, fell)])
    assert ranked[0].code == root and ranked[0].explained_by is None
    assert ranked[1].explained_by == root


class Elman(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.RNN(3, 64, batch_first=True)
        self.head = nn.Linear(64, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        return self.head(out[:, -1]).squeeze(-1)


def _sequences(n: int = 400, length: int = 40) -> tuple[torch.Tensor, torch.Tensor]:
    """Random walks in 3 features; the target is a decayed sum of the first feature (a learnable regression)."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, length, 3, generator=g).cumsum(1) / length ** 0.5
    decay = 0.9 ** torch.arange(length - 1, -1, -1, dtype=torch.float32)
    y = (x[:, :, 0] * decay).sum(1)
    return x, (y - y.mean()) / y.std()


def _train_rnn(clip: float | None, lr: float = 0.2, steps: int = 60) -> list[float]:
    """Elman RNN, SGD momentum 0.9 (lr 0.2 is stable once clipped); returns the per-step losses."""
    torch.manual_seed(0)
    x, y = _sequences()
    model = Elman()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    losses = []
    for step in range(steps):
        idx = torch.arange(step * 50, step * 50 + 50) % len(x)
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x[idx]), y[idx])
        loss.backward()
        if clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        losses.append(loss.item())
    return losses


def _train_linear(lr: float, steps: int = 60) -> list[float]:
    """Least squares on features of scale 3 by full-batch SGD; returns the per-step losses."""
    g = torch.Generator().manual_seed(1)
    x = 3.0 * torch.randn(256, 10, generator=g)
    y = x @ torch.linspace(-1, 1, 10) + 0.1 * torch.randn(256, generator=g)
    torch.manual_seed(0)
    model = nn.Linear(10, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x).squeeze(-1), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def _watched(train, *args) -> tuple[list[nndoctor.Finding], list[float]]:
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            losses = train(*args)
    finally:
        doctor.stop()
    return rank(doctor.findings()), losses


def _roots(findings: list[nndoctor.Finding]) -> list[str]:
    return [f.code for f in findings if f.explained_by is None]


def test_an_unclipped_rnn_that_blows_up_is_reported_as_exploding_gradients_first():
    findings, losses = _watched(_train_rnn, None)
    assert not np.isfinite(losses[-1])  # the fault is real: the unwatched arithmetic diverged too
    codes = [f.code for f in findings]
    assert codes[0] == "O403", codes
    assert next(f for f in findings if f.code == "O401").explained_by == "O403"
    assert findings[0].evidence["recurrent_layers"] == ["rnn"] and findings[0].evidence["loop_clips"] is False


def test_the_same_rnn_with_clipping_trains_and_stays_quiet():
    findings, losses = _watched(_train_rnn, 1.0)
    assert np.isfinite(losses).all() and np.mean(losses[-10:]) < 0.5 * np.mean(losses[:5])
    assert not {"O401", "O403"} & {f.code for f in findings}
    assert _watched(_train_rnn, 1.0)[1] == _train_rnn(1.0)  # the watch changed no number of the user's run


def test_a_feedforward_model_above_the_stable_lr_stays_a_learning_rate_finding():
    g = torch.Generator().manual_seed(1)
    x = 3.0 * torch.randn(256, 10, generator=g).double()
    design = torch.cat([x, torch.ones(256, 1, dtype=torch.float64)], 1).numpy()
    # mse's Hessian is 2 X^T X / n: plain GD diverges above lr = 2 / its largest eigenvalue
    stable = 2.0 / np.linalg.eigvalsh(2 * design.T @ design / len(design)).max()
    findings, losses = _watched(_train_linear, 3 * stable)
    assert not np.isfinite(losses[-1]) or losses[-1] > 1e6 * losses[0]
    roots = _roots(findings)
    assert roots and roots[0] == "O401", [(f.code, f.explained_by) for f in findings]
    assert all(f.explained_by == "O401" for f in findings if f.code == "O403")
    quiet, _ = _watched(_train_linear, 0.5 * stable)
    assert not {"O401", "O403"} & {f.code for f in quiet}


def test_an_rnn_far_above_its_stable_lr_stays_a_learning_rate_finding():
    # at lr 10 even the clipped loop does not train (steps of 10x the clip norm): the LR is the fault
    clipped = _train_rnn(1.0, lr=10.0)
    assert not np.mean(clipped[-10:]) < 0.5 * np.mean(clipped[:5])
    findings, losses = _watched(_train_rnn, None, 10.0)
    assert not np.isfinite(losses[-1]) and losses[1] > losses[0]
    assert _roots(findings)[0] == "O401", [(f.code, f.explained_by) for f in findings]
    assert [f.explained_by for f in findings if f.code == "O403"] == ["O401"]


def test_an_explosion_already_inside_the_first_steps_names_no_cliff():
    # a GRU under SGD at lr 5 (momentum 0.9): the per-step norms and losses of its first steps, as watch recorded them
    norms = (3.35, 671.7, 2.66e8, 4.76e5, 3.90e7, 4.86e9, 7.31e11, 1.20e14, 5e15, 8e16)
    losses = dict(enumerate((0.795, 453.5, 7.17e6, 6.96e9, 4.04e13, 3.80e17, 8.43e21, 1.92e26, 3e29, 5e32)))
    (explosion,) = exploding_gradients(GradientHistory(norms=norms, span="over 10 steps", steps=tuple(range(10)),
                                                       loss_at=losses, recurrent=("gru",), optimizer="SGD"))
    # the baseline (the first five steps' median) already holds the explosion: no growth at the onset is measured ...
    assert explosion.evidence["onset_step"] == 2 and explosion.evidence["growth_at_onset"] is None
    # ... and the loss rose from the first step on: the LR, not a cliff
    assert explosion.evidence["lowest_loss_before_onset"] == pytest.approx(453.5 / 0.795)
    diverged = nndoctor.Finding("O401", Severity.ERROR, "step 12: loss became +Inf", {"nonfinite": True, "optimizer": "SGD"})
    assert [(f.code, f.explained_by) for f in rank([diverged, explosion])] == [("O401", None), ("O403", "O401")]


def test_a_gradient_that_dwarfs_the_weights_at_the_first_plain_step_is_an_explosion():
    """N(0, 1) recurrent weights: at init the gradient is ~1e5x the weights, and one plain SGD step re-draws them.
    A later single spike, an adaptive optimizer (steps of about lr whatever the gradient) or a clipping loop is not."""
    from nndoctor.diagnosis import rank
    from nndoctor.findings import Finding, Severity
    from nndoctor.verdicts.optimisation import GradientHistory, exploding_gradients

    def history(ratios, optimizer="SGD", clips=False):
        steps = tuple(range(0, 10 * len(ratios), 10))
        return GradientHistory(norms=tuple(r for r in ratios), span="over 400 steps", label="gradient norm", steps=steps,
                               grad_to_weight=tuple(zip(steps, ratios)), optimizer=optimizer, loop_clips=clips)

    spike_at_init = [5e5, 1.0, 2.0, 0.5, 1.5, 0.8]
    [finding] = exploding_gradients(history(spike_at_init))
    assert finding.evidence["at_first_step"] is True and finding.evidence["first_grad_to_weight"] == 5e5
    symptom = Finding("O401", Severity.ERROR, "too high", {"redraw_ratio": 0.8, "step_size_only": True})
    assert {f.code: f.explained_by for f in rank([finding, symptom])}["O401"] == "O403"
    assert list(exploding_gradients(history(spike_at_init, optimizer="Adam"))) == []
    assert list(exploding_gradients(history(spike_at_init, clips=True))) == []
    assert list(exploding_gradients(history([1.0, 5e5, 2.0, 0.5, 1.5, 0.8]))) == []


def _cliff_history(optimizer: str = "SGD", loop_clips: bool = False, spike: float = 250.0,
                   after: float = 1.4, converged: bool = False) -> GradientHistory:
    """100 plain steps whose gradient norm wanders between 0.8 and 1.2 and whose loss falls from 1.2 to 1.0 by step
    60, where one norm is ``spike``; the loss then sits at ``after`` (the weights were thrown) for the rest.
    ``converged``: the loss instead reached 0.001 by step 10 and sits at 0.0015 after the spike (a hard sample's
    gradient next to the tiny ones of a fitted net, its rise a sliver of the 1.2 learned)."""
    norms = [1.0 + 0.2 * np.sin(step) for step in range(100)]
    norms[60] = spike
    losses = {step: (1.2 - step / 300 if step <= 60 else after) for step in range(100)}
    if converged:
        losses = {step: (1.2 if step < 10 else 1e-3 if step <= 60 else 1.5e-3) for step in range(100)}
    return GradientHistory(norms=tuple(norms), span="over 100 steps", steps=tuple(range(100)), loss_at=losses,
                           recurrent=("rnn",), optimizer=optimizer, loop_clips=loop_clips)


def test_one_spike_hundreds_of_times_the_local_gradient_that_undoes_learning_is_a_cliff():
    (finding,) = exploding_gradients(_cliff_history())
    assert finding.code == "O403" and finding.evidence["kind"] == "cliff"
    assert finding.evidence["onset_step"] == 60
    local = float(np.median([1.0 + 0.2 * np.sin(step) for step in range(40, 60)]))
    assert finding.evidence["growth"] == pytest.approx(250.0 / local)
    assert finding.evidence["loss_after"] > finding.evidence["loss_before"]
    start = float(np.median([1.2 - step / 300 for step in range(5)]))
    before = float(np.median([1.2 - step / 300 for step in range(40, 60)]))
    assert finding.evidence["gain_undone"] == pytest.approx((1.4 - before) / (start - before))


@pytest.mark.parametrize("history", [
    _cliff_history(optimizer="Adam"),      # an adaptive step is bounded whatever the gradient
    _cliff_history(loop_clips=True),       # the loop caps the step
    _cliff_history(after=0.95),            # the net absorbed the outlier batch: the loss kept falling
    _cliff_history(spike=50.0),            # fifty times the local size: a rough batch, not orders of magnitude
    _cliff_history(converged=True),        # half again a near-zero loss gives back nothing of what was learned
], ids=["adaptive", "clipped", "absorbed", "fifty-fold", "converged"])
def test_a_spike_that_cannot_throw_the_weights_or_did_no_harm_is_no_cliff(history):
    assert list(exploding_gradients(history)) == []


def _building_history(spike: float = 150.0, after: float = 3.0) -> GradientHistory:
    """100 plain steps: the gradient norm sits at 0.5 for 30 steps, then climbs tenfold by step 52 (to 5: a recurrent
    net nearing a cliff), and at step 53 is ``spike``; the loss falls from 1.2 to 1.1 until the spike and then sits
    at ``after``. Round 36 b/gcode_rnn_lm's shape: 136 at step 53, 300x its start, only ~30x the climbing median."""
    norms = [0.5] * 30 + [0.5 * 10 ** ((step - 29) / 23) for step in range(30, 53)] + [spike] + [5.0] * 46
    losses = {step: (1.2 - step / 530 if step <= 53 else after) for step in range(100)}
    return GradientHistory(norms=tuple(norms), span="over 100 steps", steps=tuple(range(100)), loss_at=losses,
                           recurrent=("rnn",), optimizer="hand-written SGD", loop_clips=False)


def test_an_explosion_that_built_up_before_its_largest_step_is_measured_from_the_first_steps():
    """A spike 300x the first steps' gradient that threw the weights is a cliff even though the norm had climbed
    tenfold over the twenty steps before it (under the hundredfold a spike needs over that climbing median)."""
    (finding,) = exploding_gradients(_building_history())
    assert finding.evidence["kind"] == "cliff" and finding.evidence["baseline"] == "start"
    assert finding.evidence["onset_step"] == 53
    assert finding.evidence["growth"] == pytest.approx(150.0 / 0.5)
    local = float(np.median([0.5 * 10 ** ((step - 29) / 23) for step in range(33, 53)]))
    assert finding.evidence["local_norm"] == pytest.approx(local) and 150.0 / local < 100
    assert "over the first steps" in finding.message


@pytest.mark.parametrize("history", [
    _building_history(after=1.0),   # the loss kept falling: the steps were working
    _building_history(spike=40.0),  # 80x the start: short of two orders of magnitude
    _building_history(after=1.15),  # gave back part of what it learned, not all (round 16's healthy ECG twin: 17%)
], ids=["absorbed", "eighty-fold", "partly-undone"])
def test_a_built_up_gradient_without_harm_or_orders_of_magnitude_is_no_cliff(history):
    """A gradient also grows off its init as a net learns, so a spike measured from the first steps must undo all
    that training gained (the loss back above its start) to be an explosion; round 16 a/twins/ecg_beat_cnn (healthy,
    hand-written SGD) spiked 154x its start (23x the climbing median) and gave back 17% before recovering."""
    assert list(exploding_gradients(history)) == []
