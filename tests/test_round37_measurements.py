"""Round 37's measurements (benchmarks/outofsample/round37/RESULTS.md): what the watch misread, and now reads."""
from __future__ import annotations

import contextlib
import math
import io

import numpy as np
import pytest

from nndoctor.watch.telemetry import Telemetry

EMA_EVALUATED = """
import copy
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
torch.manual_seed(0)
def make(n):
    y = torch.arange(5).repeat_interleave(n // 5)
    return torch.randn(n, 12) + 1.5 * F.one_hot(y, 12).float(), y
x_tr, y_tr = make(1000)
x_va, y_va = make(250)  # stored class by class, scored in batches of one class
train = DataLoader(TensorDataset(x_tr, y_tr), batch_size=50, shuffle=True)
val = DataLoader(TensorDataset(x_va, y_va), batch_size=50)
model = nn.Sequential(nn.Linear(12, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 5))
ema = copy.deepcopy(model)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(6):
    model.train()
    for xb, yb in train:
        opt.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        opt.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(0.9).add_(pm, alpha=0.1)
            for be, bm in zip(ema.buffers(), model.buffers()):
                be.copy_(bm)
    EVAL_MODE
    hits = 0
    with torch.no_grad():
        for xb, yb in val:
            hits += (ema(xb).argmax(1) == yb).sum().item()
    print(f"val acc {hits / len(y_va):.3f}")
"""


@pytest.mark.parametrize("eval_mode, flagged", [("ema.eval()", False), ("pass", True)])
def test_an_ema_copy_evaluated_in_train_mode_is_train_mode_evaluation(tmp_path, eval_mode, flagged):
    # round 37's b/keg_fill_ringdown: the loop scores a deepcopy EMA that was never put in eval mode (batch
    # statistics of one-class validation batches, dropout on); the copy is the model evaluated, so its mode counts
    from nndoctor.watch import hub
    from nndoctor.watch.run import run_script

    script = tmp_path / "train.py"
    script.write_text(EMA_EVALUATED.replace("EVAL_MODE", eval_mode))
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        report = run_script(str(script), alerts=False, exam=False).report
    accuracy = float(printed.getvalue().split("val acc")[-1])
    assert (accuracy < 0.5) == flagged  # the fault is real: the same weights score far worse in train mode
    assert ("T503" in report.codes) == flagged
    assert not hub._alike_targets and not hub._forward_targets  # the handlers on the model's class are gone


def _expanded_median(values: list[float], steps: list[int]) -> float:
    """Independent calculation: repeat each sample once per step up to the next sample (the last: as often as the one
    before it), then take the plain median."""
    spans = [max(b - a, 1) for a, b in zip(steps, steps[1:])]
    repeated = [v for v, span in zip(values, [*spans, spans[-1]]) for _ in range(span)]
    return float(np.sort(repeated)[(len(repeated) - 1) // 2 if len(repeated) % 2 else len(repeated) // 2])


def _telemetry(ratios: list[float], steps: list[int], total: int) -> Telemetry:
    t = Telemetry()
    t.steps = total  # a run may go on after the layer's model stopped training (a teacher, then its student)
    t.weight_params = ["head.weight"]
    t.update_steps = list(steps)
    t.update_ratios = {"head.weight": list(ratios)}
    t.update_norms = {"head.weight": [r * 0.6 for r in ratios]}  # deltas of a weight that started at norm 0.6
    t.weight_norms = {"head.weight": [(s, 0.6) for s in steps]}
    return t


SAMPLED = [0, 1, 2, 4, 8, 16, 50, 100, 150, 200, 250, 300, 350, 400]


def test_the_run_median_weights_each_sample_by_the_steps_it_stands_for():
    from nndoctor.watch.live_rules import _run_median

    rng = np.random.default_rng(0)
    for _ in range(20):
        ratios = list(rng.lognormal(-3, 2, len(SAMPLED)))
        t = _telemetry(ratios, SAMPLED, 450)
        assert _run_median(t, "head.weight", ratios) == pytest.approx(_expanded_median(ratios, SAMPLED))


@pytest.mark.parametrize("late, flagged", [(0.01, False), (0.8, True)])
def test_update_ratio_too_large_is_the_typical_step_of_the_run_not_of_its_first_samples(late, flagged):
    # round 37's b/twins/grain_silo_hotspot: a one-output head under hand-written SGD moves by most of its starting norm
    # on the first fifty steps (7 of the 14 samples), then by a percent of it for the remaining 400 steps
    from nndoctor.watch.live_rules import update_ratio

    ratios = [1.1, 0.78, 2.4, 0.89, 0.76, 1.1, 0.72] + [late] * 7
    found = list(update_ratio(_telemetry(ratios, SAMPLED, 450), {}, True))
    assert bool(found) == flagged
    assert float(np.median(ratios)) > 0.3  # the plain median over the samples would have read it too large


def _fine_tune_setup(pretrained: bool):
    import torch
    from torch import nn

    import nndoctor

    torch.manual_seed(0)
    y = torch.arange(5).repeat(120)
    x = torch.randn(600, 20) + 2.0 * nn.functional.one_hot(y, 20).float()
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 5))
    if pretrained:  # what the pre-training job hands over: already fitted to the task
        opt = torch.optim.Adam(model.parameters(), lr=3e-3)
        for _ in range(200):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x[:480]), y[:480]).backward()
            opt.step()
    return nndoctor.Setup(model=model, train=(x[:480], y[:480]), val=(x[480:], y[480:]), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda params: torch.optim.Adam(params, lr=3e-4), batch_size=32)


@pytest.mark.parametrize("pretrained", [True, False])
def test_a_model_handed_over_trained_is_no_unexpected_initial_loss(pretrained):
    # round 37's e/spec_bobbin_lace_finetune: a CNN pre-trained inside setup() starts at 0.3x ln(C); the same wiring
    # re-initialised by its layers' reset_parameters starts at ln(C): the weights know the task, not a wiring fault
    from nndoctor.checks.base import Context
    from nndoctor.checks.loss import _probe, unexpected_initial_loss
    from nndoctor.probes.init_outputs import reinitialised_loss

    ctx = Context(setup=_fine_tune_setup(pretrained))
    init = _probe(ctx).loss
    assert (init < 0.5 * math.log(5)) == pretrained  # the given weights start far below chance only when trained
    assert reinitialised_loss(ctx) == pytest.approx(math.log(5), rel=0.15)  # the fresh draw knows nothing either way
    assert not list(unexpected_initial_loss(ctx))


@pytest.mark.parametrize("fresh, flagged", [(1.62, False), (0.40, True), (None, True)])
def test_an_initial_loss_below_chance_is_the_wiring_s_only_when_a_fresh_draw_starts_there_too(fresh, flagged):
    from nndoctor.verdicts.loss import InitialLoss, unexpected_initial_loss

    m = InitialLoss(init=0.45, chance=math.log(5), constant=math.log(5), space="class_logits", n_classes=5,
                    reinitialised=fresh)
    assert bool(list(unexpected_initial_loss(m))) == flagged


def test_a_layer_whose_model_stopped_training_early_is_judged_on_its_own_steps():
    # round 37's e/smoker_fuel_distill: a teacher trained under a cosine schedule for 1,100 steps, then a student for
    # 1,300 more; the teacher's last (decayed) sample must not stand for the student's steps
    from nndoctor.watch.live_rules import update_ratio

    steps = list(range(0, 1100, 50))
    ratios = [3e-3 * 0.5 * (1 + math.cos(math.pi * s / 1100)) + 1e-6 for s in steps]
    assert not list(update_ratio(_telemetry(ratios, steps, 3700), {}, True))


HAND_SGD_CLIPPED = """
import torch
from torch import nn
torch.manual_seed(0)
x = torch.randn(640, 8)
y = x @ torch.linspace(-1, 1, 8) + 0.1 * torch.randn(640)
model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 1))
lr = 0.05
for epoch in range(3):
    for i in range(0, 640, 32):
        loss = nn.functional.mse_loss(model(x[i:i + 32]).squeeze(-1), y[i:i + 32])
        model.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
print("done")
"""


@pytest.mark.parametrize("clip", ["0.01", "100.0"])
def test_a_hand_written_sgd_update_after_a_clip_is_read_at_its_own_lr(tmp_path, clip):
    # round 37's b/grain_silo_hotspot: `clip_grad_norm_` then `p -= lr * p.grad`; the step is the LR times the clipped
    # gradient, so read against the backward's gradient its rate varied with the clip and no LR was read (fix then
    # trained its copies under a stand-in optimizer that a clip cannot slow)
    from nndoctor.watch.run import run_script

    script = tmp_path / "train.py"
    script.write_text(HAND_SGD_CLIPPED.replace("CLIP", clip))
    with contextlib.redirect_stdout(io.StringIO()):
        report = run_script(str(script), alerts=False, exam=False).report
    assert report.extra["manual_sgd_lr"] == pytest.approx(0.05, rel=1e-3)
