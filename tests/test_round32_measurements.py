"""Round 32: a hand-written update with its own LR per parameter, and the loop sample of a model fed several inputs."""
from __future__ import annotations

import pytest
import torch

SEGMENTED = """
import numpy as np
import torch
from torch import nn

rng = np.random.default_rng(0)
torch.manual_seed(0)
seg = torch.from_numpy(rng.integers(0, 12, 1200))
num = torch.randn(1200, 5)
y = num[:, 0] - 0.5 * num[:, 1] + 0.3 * torch.randn(1200)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.segment = nn.Embedding(12, 4)
        self.body = nn.Sequential(nn.Linear(9, 32), nn.Tanh(), nn.Linear(32, 1))

    def forward(self, seg, num):
        return self.body(torch.cat([self.segment(seg), num], 1)).squeeze(1)


model = Net()
for epoch in range(3):
    perm = torch.from_numpy(rng.permutation(1200))
    for i in range(0, 1200, 50):
        b = perm[i:i + 50]
        loss = nn.functional.mse_loss(model(seg[b], num[b]), y[b])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for name, p in model.named_parameters():
                p -= (SEGMENT_LR if name.startswith("segment") else 0.05) * p.grad
print("done", loss.item())
"""


def _captured(tmp_path, segment_lr: str):
    from nndoctor.watch.run import run_script

    script = tmp_path / "train.py"
    script.write_text(SEGMENTED.replace("SEGMENT_LR", segment_lr))
    outcome = run_script(str(script), alerts=False, keep_capture=True)
    return outcome, outcome.capture.setup()


def test_a_hand_written_update_with_its_own_lr_for_one_layer_trains_copies_with_those_groups(tmp_path):
    outcome, setup = _captured(tmp_path, "0.0005")
    assert outcome.report.extra.get("manual_sgd_lr") is None  # not one LR
    model = setup.fresh_model()
    optimizer = setup.make_optimizer(model)
    assert isinstance(optimizer, torch.optim.SGD)
    rates = {id(p): g["lr"] for g in optimizer.param_groups for p in g["params"]}
    segment = model.segment.weight
    assert rates[id(segment)] == pytest.approx(0.0005, rel=0.01)
    assert all(rates[id(p)] == pytest.approx(0.05, rel=0.01) for p in model.body.parameters())
    assert "2 parameter groups" in setup.optimizer_description


def test_one_lr_for_every_layer_stays_one_sgd_lr(tmp_path):
    outcome, setup = _captured(tmp_path, "0.05")
    assert outcome.report.extra.get("manual_sgd_lr") == pytest.approx(0.05, rel=0.01)
    optimizer = setup.make_optimizer(setup.fresh_model())
    assert len(optimizer.param_groups) == 1 and optimizer.param_groups[0]["lr"] == pytest.approx(0.05, rel=0.01)


def test_the_loop_sample_of_a_model_fed_a_category_id_first_is_not_cut_at_its_first_batch(tmp_path):
    """12 segment ids repeat across rows: only the whole row (ids, features, target) says whether a row came back."""
    outcome, setup = _captured(tmp_path, "0.05")
    rows = sum(len(y) for _, y in setup.batches("train"))
    assert rows >= 1000  # one epoch of 1200 rows (the sample's bounds permitting), not the first batch of 50


def test_fix_says_when_its_seeded_runs_were_one_run(tmp_path):
    """A loop without a DataLoader is replayed in its fed order from the script's own weights: the seeds cannot differ,
    and the trials say so rather than present three copies of one run as three."""
    from nndoctor.fix.script import fix_script

    script = tmp_path / "train.py"
    script.write_text(SEGMENTED.replace("SEGMENT_LR", "0.0005"))
    section = fix_script(str(script), seeds=2).report.extra["fix"]
    assert section["baseline"] is not None
    assert len(set(section["baseline"]["metric"]["per_seed"])) == 1
    assert "identical" in section.get("note", "")


def test_fix_with_a_shuffled_loader_does_not_call_its_seeds_one_run():
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    import nndoctor
    from nndoctor.fix.api import fix

    torch.manual_seed(0)
    x = torch.randn(600, 6)
    y = (x[:, 0] + x[:, 1] > 0).long()
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 2))
    setup = nndoctor.Setup(model=model, train=DataLoader(TensorDataset(x[:500], y[:500]), batch_size=25, shuffle=True),
                           val=DataLoader(TensorDataset(x[500:], y[500:]), batch_size=100), loss=nn.CrossEntropyLoss(),
                           optimizer=torch.optim.SGD(model.parameters(), lr=1e-5)).resolve()
    section = fix(setup, seeds=2).extra["fix"]
    assert section["baseline"] is not None  # seeds reshuffle the batches: not one run, even where the scores tie
    assert "identical" not in section.get("note", "")


WEIGHTED_TRAINING = """
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(size=(700, 30)).astype(np.float32)
y = ((x[:, 0] + 0.8 * rng.normal(size=700)) > 1.6).astype(np.float32)
train = DataLoader(TensorDataset(torch.from_numpy(x[:300]), torch.from_numpy(y[:300])), batch_size=32, shuffle=True)
val = DataLoader(TensorDataset(torch.from_numpy(x[300:]), torch.from_numpy(y[300:])), batch_size=200)
model = nn.Sequential(nn.Linear(30, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 1))
pos = (1 - y[:300].mean()) / y[:300].mean()
loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(30):
    model.train()
    for xb, yb in train:
        opt.zero_grad()
        loss = loss_fn(model(xb).squeeze(-1), yb)
        loss.backward()
        opt.step()
    model.eval()
    total = 0.0
    with torch.no_grad():
        for xb, yb in val:
            total += EVAL_LOSS(model(xb).squeeze(-1), yb).item()
    print(epoch, total / len(val))
"""


@pytest.mark.parametrize("eval_loss, other", [("loss_fn", False),
                                              ("nn.functional.binary_cross_entropy_with_logits", True)])
def test_a_validation_loss_without_the_training_class_weights_is_read_as_another_objective(tmp_path, eval_loss, other):
    """Trained with pos_weight, scored with or without it: the watch tells the two apart. This model memorises its 300
    rows (train loss near 0), so its rising validation is overfitting either way."""
    from nndoctor.findings import Severity
    from nndoctor.watch.run import run_script

    script = tmp_path / "train.py"
    script.write_text(WEIGHTED_TRAINING.replace("EVAL_LOSS", eval_loss))
    found = [f for f in run_script(str(script), alerts=False).report.findings if f.code == "G601"]
    assert found and found[0].severity == Severity.WARNING
    assert found[0].evidence["other_weights"] is other


def test_a_rise_in_an_unweighted_validation_loss_under_class_weights_is_no_overfitting_unless_training_memorised():
    """The weights trade the common class's likelihood for the rare one's: the plain loss may rise while the weighted
    one falls. Only a train loss under a tenth of the constant predictor's (a fitted training set) still says memory."""
    from nndoctor.findings import Severity
    from nndoctor.verdicts.generalisation import TrainValCurves, overfitting_verdict

    steps = tuple(range(75, 676, 75))
    val = (0.52, 0.54, 0.56, 0.52, 0.56, 0.46, 0.54, 0.59, 0.60)
    train = (1.21, 1.04, 1.00, 0.98, 0.96, 0.93, 0.91, 0.89, 0.88)

    def severity(other_weights: bool, final_train: float) -> Severity:
        curves = TrainValCurves(train=train[:-1] + (final_train,), val=val, steps=steps, source="detected",
                                other_weights=other_weights, train_reference=1.3)
        return next(iter(overfitting_verdict(curves))).severity

    assert severity(False, 0.88) == Severity.WARNING
    assert severity(True, 0.88) == Severity.INFO
    assert severity(True, 0.05) == Severity.WARNING  # under a tenth of 1.3: memorised


ONE_HOT_TARGETS = """
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
x = torch.randn(1200, 10)
y = (x[:, :3].sum(1) > 0).long() + 2 * (x[:, 3] > 0.5).long()
loader = DataLoader(TensorDataset(x[:1000], y[:1000]), batch_size=50, shuffle=True)
model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 4))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(3):
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.mse_loss(model(xb), F.one_hot(yb, 4).float())
        loss.backward()
        opt.step()
print("done", loss.item())
"""


def test_a_loss_against_one_hot_labels_of_the_batch_is_replayed_by_the_exam(tmp_path):
    """``mse_loss(out, one_hot(y, 4).float())``: the target is the batch's class ids expanded, not a batch tensor; the
    exam's batches give it as the loop did, so its loss and target checks run instead of being skipped."""
    from nndoctor.watch.run import run_script

    script = tmp_path / "train.py"
    script.write_text(ONE_HOT_TARGETS)
    outcome = run_script(str(script), alerts=False, keep_capture=True)
    assert not any("target checks skipped" in s or "loss checks skipped" in s for s in outcome.report.skipped)
    x, y = next(iter(outcome.capture.setup().train_loader))
    assert y.shape == (50, 4) and y.dtype == torch.float32
    assert torch.equal(y.sum(1), torch.ones(50)) and set(y.unique().tolist()) == {0.0, 1.0}


SCHEDULED = """
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
x = torch.randn(600, 5)
y = x @ torch.randn(5, 1)
loader = DataLoader(TensorDataset(x, y), batch_size=30, shuffle=True)
model = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
sched = SCHEDULE
for epoch in range(3):
    for xb, yb in loader:
        opt.zero_grad()
        nn.functional.mse_loss(model(xb), yb).backward()
        opt.step()
        if sched is not None:
            sched.step()
"""


def _schedule_of(tmp_path, schedule: str):
    from nndoctor.fix.script import run_schedule
    from nndoctor.watch.run import run_script

    script = tmp_path / "train.py"
    script.write_text(SCHEDULED.replace("SCHEDULE", schedule))
    return run_schedule(run_script(str(script), alerts=False, exam=False).report.telemetry)


def test_fix_trials_replay_the_runs_lr_schedule_over_their_own_length(tmp_path):
    """60 steps of cosine from 0.1 to 0: a trial of 30 steps at the same peak follows the curve at twice the pace."""
    import math

    factory, line = _schedule_of(tmp_path, "torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=60)")
    assert "schedule" in line
    for steps, pace in ((60, 1), (30, 2)):
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        scheduler = factory(optimizer, steps)
        for k in range(steps):
            expected = 0.05 * (1 + math.cos(math.pi * k * pace / 60))
            assert optimizer.param_groups[0]["lr"] == pytest.approx(expected, rel=1e-6, abs=1e-9)
            optimizer.step()
            scheduler.step()


def test_a_run_at_one_lr_has_no_schedule_to_replay(tmp_path):
    assert _schedule_of(tmp_path, "None") is None
