"""Round 27's measurements (benchmarks/outofsample/round27/RESULTS.md)."""
from __future__ import annotations

import textwrap

import pytest

from conftest import codes
from nndoctor.diagnosis import rank
from nndoctor.findings import Finding, Severity
from nndoctor.watch.run import run_script

# A recurrent regressor under plain SGD whose gradient-norm clip is written before or after optimizer.step().
CLIPPED = textwrap.dedent("""
    import numpy as np
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 30, 3)).astype(np.float32)
    y = (x[:, -5:, 0].mean(1) + 0.3 * x[:, :, 1].mean(1)).astype(np.float32)
    loader = DataLoader(TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=32, shuffle=True)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.GRU(3, 32, batch_first=True)
            self.head = nn.Linear(32, 1)

        def forward(self, xb):
            out, _ = self.rnn(xb)
            return self.head(out[:, -1]).squeeze(-1)

    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(3):
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(xb), yb)
            loss.backward()
            if {late}:
                opt.step()
                {clip}
            else:
                {clip}
                opt.step()
        print(f"epoch {{epoch}} loss {{loss.item():.4f}}")
""")


NORM_CLIP = "nn.utils.clip_grad_norm_(model.parameters(), 0.5)"
VALUE_CLIP = "nn.utils.clip_grad_value_(model.parameters(), 0.01)"


@pytest.mark.parametrize("late", [False, True])
@pytest.mark.parametrize("clip", [NORM_CLIP, VALUE_CLIP])
def test_a_clip_after_the_step_is_a_step_order_bug_and_no_clip(tmp_path, late, clip):
    """a/rowing_stroke_rnn (O403 planted as clip_grad_norm_ after optimizer.step()): the watch counted the clip as the
    loop's and read O408 and an LR too high (O401 over O403). A clip between step() and the next backward() cuts
    gradients the step already used: T505 names it, and no clip of the loop's is left to cap the steps (O408); the
    same for clip_grad_value_."""
    script = tmp_path / "clipped.py"
    script.write_text(CLIPPED.format(late=late, clip=clip))
    report = run_script(str(script), alerts=False).report
    found = codes(report, "info")
    if late:
        (order,) = [f for f in report.findings if f.code == "T505"]
        assert order.evidence["clips_after_step"] == 48
        assert (order.evidence["late_clips_that_cut"] > 0) == (clip == NORM_CLIP)
        assert "O408" not in found
    else:
        assert "T505" not in found


def _collapse(peak: float) -> list[Finding]:
    """A rising train loss (O401's windows, peaking at ``peak``), the last ReLU layer fully dead, G602's reference 0.97."""
    windows = [0.44, 0.84, peak, 1.01, 1.02, 1.02]
    return [
        Finding("O401", Severity.ERROR, "the train loss diverged", {"windows": windows}),
        Finding("O405", Severity.WARNING, "dead ReLU units grew to 100%",
                {"layers": {"3": {"start": 0.05, "end": 0.76}, "5": {"start": 0.06, "end": 1.0}}, "onset_step": 450}),
        Finding("G602", Severity.WARNING, "does not fit", {"final_train_loss": 1.02, "reference": 0.97}),
    ]


def test_a_loss_that_rose_to_a_constant_output_under_dead_units_is_the_units_dying():
    """b/skijump_distance (O405 planted as a warm-up to an LR of 0.4): the loss rose from 0.44 to the constant
    predictor's level as the last layer's units all died; O401 read the rise as divergence and ranked first. A layer of
    dead units makes the model a constant; a loss that never passed twice a constant's is that collapse (O405), while one
    thrown past it is the LR's divergence, which kills units on the way (O401 stays the root)."""
    collapsed = _collapse(peak=1.04)
    assert [f.code for f in rank(collapsed) if f.explained_by is None] == ["O405"]
    diverged = _collapse(peak=25.0)
    assert [f.code for f in rank(diverged) if f.explained_by is None] == ["O401"]
    alive = _collapse(peak=1.04)
    alive[1].evidence["layers"]["5"]["end"] = 0.9
    assert [f.code for f in rank(alive) if f.explained_by is None] == ["O401"]


def test_a_flat_loss_under_huge_steps_and_a_dead_layer_is_the_units_dying():
    """O405-r035 (tuning half; SGD at 0.8 with momentum kills the classifier's ReLU layer at step 2): O401 read only
    the step size (11% of the weights' norm per step) and a loss that never moved from a constant's level, and ranked
    first. A step-size reading saw no rise at all: with a whole layer dead and the loss at a constant's level, it is the
    collapse O405 names; with the layer alive, or the loss far above a constant's, O401 stays the root."""
    def findings(end: float, final_loss: float) -> list[Finding]:
        return [
            Finding("O401", Severity.ERROR, "steps overshoot", {"median_update_ratio": 0.11, "step_size_only": True}),
            Finding("O405", Severity.ERROR, "dead ReLU units grew",
                    {"layers": {"classifier.2": {"start": 0.22, "end": end}}, "final_loss": final_loss}),
            Finding("G602", Severity.WARNING, "does not fit", {"final_train_loss": final_loss, "reference": 2.31}),
        ]

    assert [f.code for f in rank(findings(1.0, 2.36)) if f.explained_by is None] == ["O405"]
    assert [f.code for f in rank(findings(0.7, 2.36)) if f.explained_by is None] == ["O401"]
    assert [f.code for f in rank(findings(1.0, 9.0)) if f.explained_by is None] == ["O401"]


def test_a_deep_plain_stack_that_starves_late_in_the_trial_is_read_by_m205_not_o404():
    """b/wool_grading_spec (M205 planted as a 32-layer tanh stack, Glorot init, SGD with momentum): the stack starts
    balanced and trains, then the first layer's gradient falls four orders of magnitude in the trial's last third;
    medians over the whole trial and its opening quarter missed it. M205 reads the closing quarter too; O404 does not
    (every layer's gradient shrinks as a healthy run converges)."""
    from types import SimpleNamespace

    from nndoctor.checks.optimisation import trial_vanishing

    steps, names = 400, [f"body.{2 * i}.weight" for i in range(16)]
    norms = {}
    for depth, name in enumerate(names):
        late = 10.0 ** (-4 * (1 - depth / (len(names) - 1)))  # the first layer falls 1e4x, the last not at all
        norms[name] = [1.0] * 280 + [late] * (steps - 280)
    trial = SimpleNamespace(steps=steps, grad_norms=norms, param_sizes={n: 4096 for n in names}, weight_params=names)
    ctx = SimpleNamespace(probe=lambda name, run: trial)
    assert trial_vanishing(ctx) is None
    late = trial_vanishing(ctx, closing=True)
    assert late is not None and late.evidence["ratio"] == pytest.approx(1e-4)
