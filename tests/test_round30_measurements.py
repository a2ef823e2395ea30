"""Round 30's measurements (benchmarks/outofsample/round30/RESULTS.md)."""
from __future__ import annotations

import textwrap

import pytest

from conftest import codes
from nndoctor.diagnosis import rank
from nndoctor.findings import Finding, Severity
from nndoctor.watch.run import run_script

# A ReLU MLP on a nonlinear target, trained by a hand-written SGD update (no optimizer object) at `lr` for 15 epochs.
HOT_SGD = textwrap.dedent("""
    import numpy as np
    import torch
    from torch import nn

    torch.manual_seed(2)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1200, 8)).astype(np.float32)
    y = (np.sin(x[:, 0]) + x[:, 1] * x[:, 2] + 0.3 * rng.normal(size=1200)).astype(np.float32)
    y = (y - y.mean()) / y.std()
    X, Y = torch.tensor(x[:1000]), torch.tensor(y[:1000])
    model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    lr = {lr}
    for epoch in range(15):
        perm = torch.randperm(len(X))
        for i in range(0, len(X), 32):
            idx = perm[i:i + 32]
            loss = nn.functional.mse_loss(model(X[idx]).squeeze(-1), Y[idx])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
    with torch.no_grad():
        print(f"val mse {{nn.functional.mse_loss(model(torch.tensor(x[1000:])).squeeze(-1), torch.tensor(y[1000:])).item():.4f}}")
""")


def _roots(report) -> list[str]:
    return [f.code for f in report.findings if f.severity.at_least(Severity.WARNING) and f.explained_by is None]


@pytest.mark.parametrize("lr", [0.9, 0.05])
def test_units_that_died_in_the_run_ask_the_exam_whether_the_lr_killed_them(tmp_path, lr):
    """d/dune_migration_sgd (O401: a hand-written SGD at 0.9 on a ReLU MLP): the loss jumped to 37x its start in the
    first steps, the last hidden layer died whole, and the run read O405 alone: the watch's O401 readings see ten
    window means of a run whose end sits at its start, and the range test runs only in the exam. Units that died
    while learning stopped (O405 at warning level, no swings of O407 to blame) now ask the exam for O401 on a copy.
    Here the copy finds the LR too high and the run's loss first rose past twice the constant predictor's: O401 is
    the root and the dead units its symptom. At lr=0.05 no unit dies and nothing is asked."""
    script = tmp_path / "hot_sgd.py"
    script.write_text(HOT_SGD.format(lr=lr))
    report = run_script(str(script), alerts=False).report
    if lr == 0.9:
        assert "O401" in report.extra["exam_requests"]
        assert _roots(report)[0] == "O401"
        assert next(f for f in report.findings if f.code == "O405").explained_by is not None
    else:
        assert "O401" not in report.extra["exam_requests"]
        assert not codes(report) & {"O401", "O405", "O407"}


def _collapse(peak: float) -> list[Finding]:
    """A watched run whose last hidden layer died whole (its loss's highest window mean ``peak``, the constant
    predictor's 1.0), and the exam's O401 from a copy whose trial turned non-finite at the user's LR."""
    died = Finding("O405", Severity.WARNING, "units died", {"layers": {"3": {"start": 0.15, "end": 1.0}}, "onset_step": 60,
                                                            "peak_loss": peak, "seen_by": "watch"})
    underfit = Finding("G602", Severity.WARNING, "underfit", {"reference": 1.0, "seen_by": "watch"})
    too_high = Finding("O401", Severity.ERROR, "step 58 of the trial: loss became NaN",
                       {"nonfinite": True, "seen_by": "exam"})
    return [died, underfit, too_high]


@pytest.mark.parametrize("peak, root", [(1.04, "O405"), (2.9, "O401")])
def test_a_copy_that_diverged_is_read_against_the_watched_runs_own_curve(peak, root):
    """b/seedbank_germination (O405: SGD at 0.2 collapsed a ReLU net into a constant; its loss never rose above the
    constant predictor's) and d/dune_migration_sgd (O401: the loss first jumped far above it). The exam's trial on a
    copy turned non-finite at the user's LR in the one, which linked every symptom of the run to that NaN as if the run
    had diverged. A copy's NaN says nothing of when the run's own units died: the run's curve decides, by the link
    that already tells a collapse (O405, the loss never past twice the constant's) from an overshoot (O401)."""
    ranked = rank(_collapse(peak))
    assert [f.code for f in ranked if f.explained_by is None] == [root]


# Pre-training on one sensor's rows, then (``stages=2``) fine-tuning on a new sensor's, whose readings sit 1.5 standard
# deviations higher; validation is the new sensor's. With one stage the model never trained on the new sensor at all.
STAGED = textwrap.dedent("""
    import numpy as np
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    w = rng.normal(size=6)

    def sensor(n, offset):
        x = rng.normal(size=(n, 6)) + offset
        return torch.tensor(x, dtype=torch.float32), torch.tensor((x - offset) @ w > 0).long()

    old_x, old_y = sensor(1200, 0.0)
    new_x, new_y = sensor(300, 1.5)
    val_x, val_y = sensor(300, 1.5)
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 2))
    stages = [(old_x, old_y, 1e-2), (new_x, new_y, 3e-3)][:{stages}]
    for x, y, lr in stages:
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
        for epoch in range(6):
            for xb, yb in loader:
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(xb), yb).backward()
                optimizer.step()
        with torch.no_grad():
            print(f"val acc {{(model(val_x).argmax(1) == val_y).float().mean().item():.3f}}")
""")


@pytest.mark.parametrize("stages", [2, 1])
def test_a_fine_tune_on_a_new_domain_is_not_a_shift_from_the_pre_training_data(tmp_path, stages):
    """a/chimney_flue_finetune (healthy: a CNN pre-trained on an old camera's tiles, fine-tuned and validated on a new
    camera's) read D109: the capture keeps the first training stage's loader, and the new camera's validation tiles
    differ from the old camera's by design. A later loader over other data that trained the model marks the run as
    staged: the shift from the first stage's data is then not judged (said in the report). One stage that never saw
    the new sensor still reads the shift."""
    script = tmp_path / "staged.py"
    script.write_text(STAGED.format(stages=stages))
    report = run_script(str(script), alerts=False).report
    assert ("D109" in codes(report)) == (stages == 1)
    assert any("trained in stages" in note for note in report.skipped) == (stages == 2)


# Round 36 e/tuningfork_flaw_finetune's shape: a loop with no DataLoader pre-trains an encoder to regress a quantity
# (MSE) on one pool of rows, then fine-tunes a classifier on a smaller pool of another kind of rows (cross-entropy),
# validated on that pool. ``objectives=1`` trains the classifier from the start on the pre-training pool's rows.
OBJECTIVES = textwrap.dedent("""
    import numpy as np
    import torch
    import torch.nn.functional as F
    from torch import nn

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    w = rng.normal(size=8)
    pool = torch.tensor(rng.normal(size=(2000, 8)), dtype=torch.float32)
    labelled = torch.tensor(rng.normal(size=(400, 8)) + 1.2, dtype=torch.float32)
    encoder = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU())
    if {objectives} == 2:
        reg_head = nn.Linear(16, 1)
        target = pool @ torch.tensor(w, dtype=torch.float32)
        opt = torch.optim.Adam([*encoder.parameters(), *reg_head.parameters()], lr=2e-3)
        for epoch in range(4):
            perm = torch.randperm(len(pool))
            for i in range(0, len(pool), 100):
                idx = perm[i:i + 100]
                loss = F.mse_loss(reg_head(encoder(pool[idx])).squeeze(1), target[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        train_x = labelled[:300]
    else:
        train_x = pool[:300]
    train_y = (train_x[:, 0] > train_x[:, 0].median()).long()
    val_x = labelled[300:]
    val_y = (val_x[:, 0] > val_x[:, 0].median()).long()
    head = nn.Linear(16, 2)
    opt = torch.optim.Adam([*encoder.parameters(), *head.parameters()], lr=3e-3)
    for epoch in range(20):
        perm = torch.randperm(len(train_x))
        for i in range(0, len(train_x), 50):
            idx = perm[i:i + 50]
            loss = F.cross_entropy(head(encoder(train_x[idx])), train_y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            acc = (head(encoder(val_x)).argmax(1) == val_y).float().mean().item()
    print(f"val acc {{acc:.3f}}")
""")


@pytest.mark.parametrize("objectives", [2, 1])
def test_a_fine_tune_under_another_loss_is_a_later_stage_without_a_loader(tmp_path, objectives):
    """Round 36 e/tuningfork_flaw_finetune (healthy) read D109: with no DataLoader, the exam's training data is the
    loop's first batches, the pre-training pool's, and its validation tensor the fine-tuning pool's, which differ by
    design. A later training step under a loss function the first steps never called (MSE, then cross-entropy) is a
    second stage, as a later loader over other data is: the shift from the first stage's rows is not judged. One
    objective from the start, trained on rows that differ from the validation tensor's, still reads the shift."""
    script = tmp_path / "objectives.py"
    script.write_text(OBJECTIVES.format(objectives=objectives))
    outcome = run_script(str(script), alerts=False)
    assert outcome.exit_status == 0 and not outcome.report.failures, outcome.report.failures
    assert ("D109" in codes(outcome.report)) == (objectives == 1)
    assert any("trained in stages" in note for note in outcome.report.skipped) == (objectives == 2)
