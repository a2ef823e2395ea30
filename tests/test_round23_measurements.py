"""Round 23's measurements (benchmarks/outofsample/round23/RESULTS.md): what the watch misread, and now reads."""
from __future__ import annotations

import contextlib
import io

import pytest

from nndoctor.findings import Severity

FROZEN_ENCODER = """
import torch
from torch import nn
import torch.nn.functional as F
torch.manual_seed(0)
x = torch.randn(1200, 10)
y = (x[:, :4].sum(1) > 0).long() + (x[:, 4] > 0.5).long()
encoder = nn.Sequential(nn.Linear(10, 32), nn.ReLU())
for p in encoder.parameters():
    p.requires_grad_(False)
encoder.eval()
class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = encoder
        self.head = nn.Sequential(nn.Linear(32, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 3))
    def forward(self, x):
        return self.head(self.encoder(x))
clf = Classifier()
opt = torch.optim.Adam(clf.head.parameters(), lr=3e-3)
for epoch in range(8):
    clf.head.train()
    for i in range(0, 1000, 50):
        loss = F.cross_entropy(clf(x[i:i + 50]), y[i:i + 50])
        opt.zero_grad()
        loss.backward()
        opt.step()
    EVAL_MODE
    with torch.no_grad():
        out = clf(x[1000:])
    print(f"val acc {(out.argmax(1) == y[1000:]).float().mean().item():.3f}")
"""


@pytest.mark.parametrize("eval_mode, flagged", [("clf.head.eval()", False), ("pass", True)])
def test_evaluation_with_the_dropout_holding_submodule_in_eval_mode_is_no_train_mode_evaluation(tmp_path, eval_mode,
                                                                                                 flagged):
    # round 23's e/frozen_cheese_ripeness_transfer: a frozen encoder and a head with dropout; the loop puts only the
    # head in eval mode to evaluate (the top-level module's flag stays True), which switches off the only dropout
    from nndoctor.watch.run import run_script

    script = tmp_path / "train.py"
    script.write_text(FROZEN_ENCODER.replace("EVAL_MODE", eval_mode))
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        report = run_script(str(script), alerts=False).report
    assert float(printed.getvalue().split("val acc")[-1]) > 0.6  # it learned (three classes)
    assert ("T503" in report.codes) == flagged


TABLES = """
import torch
from torch import nn
torch.manual_seed(0)
n, farms, caves = 3000, 40, 12
farm, cave, x = torch.randint(0, farms, (n,)), torch.randint(0, caves, (n,)), torch.randn(n, 6)
y = (x @ torch.linspace(-1, 1, 6) + 1.5 * torch.randn(farms)[farm] + torch.randn(caves)[cave]).unsqueeze(1)
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.farm_emb, self.cave_emb = nn.Embedding(farms, 8), nn.Embedding(caves, 4)
        self.mlp = nn.Sequential(nn.Linear(18, 64), nn.ReLU(), nn.Linear(64, 1))
    def forward(self, f, c, x):
        return self.mlp(torch.cat([self.farm_emb(f), self.cave_emb(c), x], 1))
model = Net()
tables = list(model.farm_emb.parameters()) + list(model.cave_emb.parameters())
opt = torch.optim.AdamW([{"params": tables, "lr": TABLE_LR}, {"params": model.mlp.parameters(), "lr": 3e-3}])
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(farm, cave, x, y), batch_size=64, shuffle=True)
for epoch in range(5):
    for f, c, xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(f, c, xb), yb)
        loss.backward()
        opt.step()
"""


@pytest.mark.parametrize("table_lr, flagged", [("3e-6", True), ("3e-3", False)])
def test_an_embedding_group_whose_learning_rate_is_a_thousand_times_too_small_reads_o412(tmp_path, table_lr, flagged):
    # round 23's c/cheese_ripening_lightning: the embedding group's LR typed 3e-6 for 3e-3; the tables are measured over
    # the rows each step trained (a batch looks up a few rows of a table, and over the whole table a healthy step reads
    # as a tiny one)
    from nndoctor.watch.run import run_script

    script = tmp_path / "train.py"
    script.write_text(TABLES.replace("TABLE_LR", table_lr))
    with contextlib.redirect_stdout(io.StringIO()):
        report = run_script(str(script), alerts=False).report
    found = [f for f in report.findings if f.code == "O412" and f.severity.at_least(Severity.WARNING)]
    assert bool(found) == flagged
    if flagged:
        assert set(found[0].evidence["too_small"]) == {"farm_emb.weight", "cave_emb.weight"}


def test_a_tables_update_is_measured_over_the_rows_its_gradient_touched():
    import torch
    from torch import nn

    from nndoctor.record.measure import snapshot, update_norms

    torch.manual_seed(0)
    table = nn.Embedding(1000, 4)
    before = snapshot([("weight", table.weight)])
    table(torch.tensor([3, 7, 7])).sum().backward()
    with torch.no_grad():
        table.weight -= 0.1 * table.weight.grad
    _, whole = update_norms(before)
    _, rows = update_norms(before, {"weight"})
    old = before[0][1]
    expected = (table.weight.detach()[[3, 7]] - old[[3, 7]]).norm() / old[[3, 7]].norm()
    assert float(rows[0, 0] / rows[0, 1]) == pytest.approx(float(expected), rel=1e-5)
    assert float(whole[0, 0] / whole[0, 1]) < float(expected) / 10  # diluted by the 998 rows no lookup touched


@pytest.mark.parametrize("table_lr, flagged", [(3e-6, True), (3e-3, False)])
def test_checkups_trial_reads_the_same_tables(table_lr, flagged):
    # the same measurement in checkup's trial (the recorder measures tables over their touched rows too)
    import torch
    from torch import nn

    from nndoctor import Setup
    from nndoctor.runner import checkup

    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, 50, (2000, 3), generator=g)
    y = torch.randn(50, generator=g)[ids].sum(1, keepdim=True)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Embedding(50, 8), nn.Flatten(), nn.Linear(24, 32), nn.ReLU(), nn.Linear(32, 1))

    def groups(params):  # the table (the first parameter) in a group of its own, as the factory gets the copy's
        table, *rest = list(params)
        return torch.optim.Adam([{"params": [table], "lr": table_lr}, {"params": rest, "lr": 3e-3}])

    setup = Setup(model=model, train=(ids[:1600], y[:1600]), val=(ids[1600:], y[1600:]), loss=nn.MSELoss(),
                  optimizer=groups, batch_size=64, task="regression")
    found = [f for f in checkup(setup, select=["O412"]).findings if f.code == "O412"]
    assert bool(found) == flagged
    if flagged:
        assert "0.weight" in found[0].evidence["too_small"]


HALF_WEIGHTS = """
import torch
from torch import nn
torch.manual_seed(0)
x = torch.randn(2000, 10)
y = (x @ torch.linspace(-1, 1, 10)).unsqueeze(1) + 0.1 * torch.randn(2000, 1)
model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1)).to(torch.bfloat16)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=64, shuffle=True)
for epoch in range(3):
    for xb, yb in loader:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = nn.functional.mse_loss(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
"""


def test_a_model_kept_in_bfloat16_is_examined_under_the_loops_autocast(tmp_path):
    # round 23's a/glacier_stake_melt: model.to(torch.bfloat16) trained under CPU autocast on float inputs; the exam fed
    # the copy float batches outside autocast ("mat1 and mat2 must have the same dtype") and examined nothing
    from nndoctor.watch.run import run_script

    script = tmp_path / "train.py"
    script.write_text(HALF_WEIGHTS)
    with contextlib.redirect_stdout(io.StringIO()):
        report = run_script(str(script), alerts=False).report
    exam = report.extra["exam"]
    assert {"M208", "L307", "D105"} <= set(exam.get("exam_codes") or [])
    assert not [note for note in exam.get("skipped_checks") or [] if "dtype" in str(note)]
