"""Classify cask/keg fill level from the acoustic ring-down after a solenoid tap.

Returns line: every keg gets a tap, a contact mic records 40 ms, we keep a 64-bin log-magnitude
spectrum plus keg temperature and shell type. Five fill classes (empty .. full).
An MLP with BatchNorm and dropout, an EMA copy of the weights for evaluation and export.
"""
import argparse
import copy
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=15)
parser.add_argument("--lr", type=float, default=2e-3)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--ema", type=float, default=0.98)
parser.add_argument("--seed", type=int, default=11)
args = parser.parse_args()

torch.manual_seed(args.seed)
torch.set_num_threads(1)
rng = np.random.default_rng(args.seed)

N_BINS, N_CLASSES = 64, 5
freqs = np.linspace(0, 1, N_BINS)


def record(level, n):
    """Fuller kegs damp the shell modes and pull them down in frequency."""
    shell = rng.integers(0, 2, n)                       # 0 = steel, 1 = PET
    temp = rng.normal(6, 2.5, n)
    f0 = 0.55 - 0.07 * level + 0.05 * shell + 0.004 * (temp - 6) + rng.normal(0, 0.035, n)
    width = 0.025 + 0.012 * level + rng.normal(0, 0.004, n)
    spec = np.empty((n, N_BINS), np.float32)
    for i in range(n):
        s = np.exp(-((freqs - f0[i]) ** 2) / (2 * width[i] ** 2))
        s += 0.5 * np.exp(-((freqs - 1.7 * f0[i]) ** 2) / (2 * (1.5 * width[i]) ** 2))
        s += rng.gamma(2.0, 0.03, N_BINS)               # line noise from the conveyor
        spec[i] = np.log(s + 1e-3)
    return np.column_stack([spec, temp, shell]).astype(np.float32)


def build(per_class):
    xs, ys = [], []
    for level in range(N_CLASSES):
        xs.append(record(level, per_class))
        ys.append(np.full(per_class, level))
    return np.concatenate(xs), np.concatenate(ys)


Xtr, ytr = build(360)
Xva, yva = build(120)
mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-6
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                          batch_size=args.batch_size, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)),
                        batch_size=120, shuffle=False)


class RingDownNet(nn.Module):
    def __init__(self, d_in, hidden=128, n_out=N_CLASSES, p=0.3):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(p),
            nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(p),
            nn.Linear(hidden, n_out),
        )

    def forward(self, x):
        return self.net(x)


def train(model, ema, loader, optimizer, epoch):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(args.ema).add_(pm, alpha=1 - args.ema)
            for be, bm in zip(ema.buffers(), model.buffers()):
                be.copy_(bm)


def test(model, loader):
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            test_loss += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
    n = len(loader.dataset)
    return test_loss / n, correct / n


model = RingDownNet(Xtr.shape[1])
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=6, gamma=0.3)

for epoch in range(1, args.epochs + 1):
    train(model, ema, train_loader, optimizer, epoch)
    scheduler.step()
    vloss, vacc = test(ema, val_loader)
    print(f"Epoch {epoch:2d}  val loss {vloss:.4f}  val acc {vacc:.3f}")

torch.save(ema, "/tmp/keg_fill_ema.pt")
print(f"final val accuracy {vacc:.3f}  val loss {vloss:.4f}")
