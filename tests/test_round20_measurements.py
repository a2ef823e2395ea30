"""Round 20's measurements (benchmarks/outofsample/round20/RESULTS.md): what `run` misread, and now reads."""
from __future__ import annotations

import pytest

ESTIMATE_LOSS = """import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
rng = np.random.default_rng(0)
noise = rng.normal(size=(6000, 3))
series = np.zeros((6000, 3))
for t in range(1, 6000):
    series[t] = 0.9 * series[t - 1] + noise[t]
series = series.astype(np.float32)
series = (series - series[:4800].mean(0)) / series[:4800].std(0)
X = torch.from_numpy(series)
Y = torch.from_numpy(np.roll(series[:, 0], -1).copy())
train_end, val_end = np.arange(30, 4800), np.arange(4830, 5999)
LEAK = {leak}


def get_batch(split, it):
    ends = train_end if split == "train" or LEAK else val_end
    ix = np.random.default_rng((0, it)).choice(ends, size=64, replace=False)
    idx = torch.as_tensor(ix)[:, None] + torch.arange(-29, 1)[None, :]
    return X[idx], Y[torch.as_tensor(ix)].unsqueeze(-1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 16, batch_first=True)
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        return self.head(self.gru(x)[0][:, -1])


model = Net()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)


@torch.no_grad()
def estimate_loss():
    model.eval()
    out = {{}}
    for split in ("train", "val"):
        losses = torch.zeros(6)
        for k in range(6):
            xb, yb = get_batch(split, (10_000 if split == "train" else 20_000) + k)
            losses[k] = nn.functional.mse_loss(model(xb), yb).item()
        out[split] = losses.mean().item()
    model.train()
    return out


for it in range(121):
    if it % 40 == 0:
        estimate_loss()
    xb, yb = get_batch("train", it)
    loss = nn.functional.mse_loss(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


@pytest.mark.parametrize("leak", [False, True])
def test_a_loss_estimate_on_training_batches_is_not_taken_for_the_validation_split(tmp_path, leak):
    # nanoGPT's estimate_loss: batches drawn from the training pool are evaluated before the validation batches (more
    # of them than the capture keeps); only when the validation windows are drawn from the training pool too (leak)
    # do its rows come from training
    from nndoctor.watch.run import run_script

    script = tmp_path / "estimate_loss.py"
    script.write_text(ESTIMATE_LOSS.format(leak=leak))
    report = run_script(str(script), alerts=False).report
    assert len(report.telemetry["step_losses"]) == 121 and len(report.telemetry["val_loss"]) == 4
    assert ("D108" in report.codes) == leak


BROADCAST = """
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(size=(1200, 6)).astype(np.float32)
y = (x @ rng.normal(size=6) + 0.1 * rng.normal(size=1200)).astype(np.float32){column}
train = DataLoader(TensorDataset(torch.from_numpy(x[:960]), torch.from_numpy(y[:960])), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(6):
    for xb, yb in train:
        loss = F.mse_loss(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
"""


@pytest.mark.parametrize("column", ["", "[:, None]"], ids=["targets (N,)", "targets (N, 1)"])
def test_run_names_targets_the_loss_broadcasts_against_the_output(tmp_path, column):
    # the exam gave up on the captured setup ("loss and target checks skipped") and the run read only a plateau
    import warnings

    from nndoctor.watch.run import run_script

    script = tmp_path / "broadcast.py"
    script.write_text(BROADCAST.format(column=column))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = run_script(str(script), alerts=False).report
    assert len(report.telemetry["step_losses"]) == 90
    roots = [f.code for f in report.findings if f.explained_by is None and f.severity.value in ("warning", "error")]
    if column:
        assert "D113" not in report.codes and roots == []
    else:
        assert roots == ["D113"] and report.findings[0].evidence["target_shape"] == [64]
