"""``nndoctor run``: a loader the loop trains on is never the validation split.

A two-stage script pre-trains an autoencoder (evaluating it at some epochs, which leaves it in
eval mode), then trains a classifier head on the frozen encoder from a new DataLoader over the
same training rows. That loader starts while the captured model is in eval mode, as a
validation loader would; a backward under it shows it is training data, so the exam's
validation split is the tensor the autoencoder was evaluated on, and no leakage is reported.
A real validation loader (no backward while it is iterated) is still taken.
"""
from __future__ import annotations

from pathlib import Path

from nndoctor import Report, Severity
from nndoctor.watch.run import run_script

SCRIPT = '''
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits

digits = load_digits()
X = torch.tensor(digits.data[:800] / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target[:800])
perm = torch.randperm(800, generator=torch.Generator().manual_seed(0))
Xtr, ytr, Xva, yva = X[perm[:600]], y[perm[:600]], X[perm[600:]], y[perm[600:]]

torch.manual_seed(0)
encoder = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 8))
ae = nn.Sequential(encoder, nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 64))
opt = torch.optim.Adam(ae.parameters(), lr=2e-3)
mse = nn.MSELoss()
for epoch in range(4):
    ae.train()
    for (x,) in DataLoader(TensorDataset(Xtr), batch_size=64, shuffle=True):
        opt.zero_grad()
        mse(ae(x), x).backward()
        opt.step()
    if epoch % 2 == 1:
        ae.eval()
        with torch.no_grad():
            val_mse = mse(ae(Xva), Xva).item()

for p in encoder.parameters():
    p.requires_grad = False
head = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 10))
model = nn.Sequential(encoder, head)
opt = torch.optim.Adam(head.parameters(), lr=3e-3)
ce = nn.CrossEntropyLoss()
for epoch in range(3):
    head.train()
    for xb, yb in DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True):
        opt.zero_grad()
        ce(model(xb), yb).backward()
        opt.step()
    VALIDATE
'''
VAL_LOADER = '''with torch.no_grad():
        for xb, yb in DataLoader(TensorDataset(Xva, yva), batch_size=100):
            acc = (model(xb).argmax(1) == yb).float().mean()'''


def run(tmp_path: Path, validate: str) -> Report:
    script = tmp_path / "train.py"
    script.write_text(SCRIPT.replace("VALIDATE", validate))
    outcome = run_script(str(script), alerts=False)
    assert outcome.exit_status == 0
    assert not outcome.report.failures, outcome.report.failures
    return outcome.report


def test_the_second_stage_loader_over_the_training_rows_is_not_validation(tmp_path):
    report = run(tmp_path, "pass")
    capture = report.extra["exam"]["capture"]
    assert capture["val_source"] == "tensor" and capture["val_tensor_rows"] == 200, capture
    assert "D108" not in {f.code for f in report.at_least(Severity.WARNING)}, report.verdict()


def test_a_validation_loader_without_backward_after_the_second_stage_is_still_taken(tmp_path):
    report = run(tmp_path, VAL_LOADER)
    capture = report.extra["exam"]["capture"]
    assert capture["val_source"] == "loader" and capture["val_batches"] == 2, capture
    assert "D108" not in {f.code for f in report.at_least(Severity.WARNING)}, report.verdict()
