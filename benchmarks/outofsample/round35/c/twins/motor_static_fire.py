"""Static-fire test stand: classify hobby rocket motor burns from the load-cell thrust trace.

Classes: nominal, early burn-through, chuffing (pressure oscillation), delayed ignition,
over-pressure spike. Traces are 160 samples at 100 Hz, normalised by the motor's rated
total impulse. A small 1-D CNN is trained with SGD + momentum; micro-batches of 16 are
accumulated to an effective batch of 64 to mimic the memory budget of the stand's
embedded GPU.
"""
import argparse
import math
import os

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=8)
parser.add_argument("--micro-batch", type=int, default=16)
parser.add_argument("--accum", type=int, default=4)
parser.add_argument("--lr", type=float, default=0.05)
parser.add_argument("--out", default="/tmp/motor_static_fire.pt")
args = parser.parse_args()

torch.manual_seed(3)
rng = np.random.default_rng(3)
T = 160
t = np.arange(T) / 100.0
CLASSES = ["nominal", "burn_through", "chuffing", "delayed_ignition", "overpressure"]


def trace(label):
    burn = rng.uniform(0.9, 1.3)
    peak = rng.uniform(0.8, 1.2)
    ign = rng.uniform(0.05, 0.12)
    if label == 3:
        ign += rng.uniform(0.06, 0.15)
    rise = 1 / (1 + np.exp(-(t - ign) * 60))
    tail = 1 / (1 + np.exp((t - ign - burn) * 12))
    shape = 0.75 + 0.25 * np.exp(-((t - ign - 0.1) / 0.08) ** 2)
    f = peak * rise * tail * shape
    if label == 1:
        cut = ign + burn * rng.uniform(0.7, 0.9)
        f = f * (1 / (1 + np.exp((t - cut) * 40))) + 0.25 * peak * np.exp(-((t - cut) / 0.05) ** 2)
    elif label == 2:
        f = f * (1 + 0.07 * np.sin(2 * np.pi * rng.uniform(6, 10) * t + rng.uniform(0, 6)) * rise * tail)
    elif label == 4:
        tp = ign + rng.uniform(0.1, 0.6)
        f = f + rng.uniform(0.12, 0.25) * np.exp(-((t - tp) / 0.02) ** 2)
    f = f + rng.normal(0, 0.07, T) + rng.normal(0, 0.02)
    return f.astype(np.float32)


def make(n):
    y = rng.integers(0, len(CLASSES), n)
    X = np.stack([trace(int(k)) for k in y])[:, None, :]
    return torch.from_numpy(X), torch.from_numpy(y)


Xtr, ytr = make(1024)
Xva, yva = make(512)
mu, sd = Xtr.mean(), Xtr.std()
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=args.micro_batch, shuffle=True, drop_last=True)
val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=256)


class ThrustNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.AdaptiveAvgPool1d(8),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 8, 64), nn.ReLU(), nn.Linear(64, n_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


model = ThrustNet(len(CLASSES))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4, nesterov=True)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)


def evaluate():
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            loss_sum += criterion(out, yb).item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            total += len(yb)
    return loss_sum / total, correct / total


best_acc = 0.0
for epoch in range(1, args.epochs + 1):
    model.train()
    running = 0.0
    optimizer.zero_grad()
    for i, (xb, yb) in enumerate(train_loader):
        loss = criterion(model(xb), yb) / args.accum
        loss.backward()
        running += loss.item()
        if (i + 1) % args.accum == 0:
            optimizer.step()
            optimizer.zero_grad()
    scheduler.step()
    val_loss, val_acc = evaluate()
    if val_acc > best_acc:
        best_acc = val_acc
        torch.save(model, args.out)
    print(f"epoch {epoch:2d} lr {scheduler.get_last_lr()[0]:.4f} train_loss {running / (len(train_loader) / args.accum):.4f} "
          f"val_loss {val_loss:.4f} val_acc {val_acc:.4f}")

best = torch.load(args.out, weights_only=False)
model = best
val_loss, val_acc = evaluate()
print(f"final best-checkpoint val_loss={val_loss:.4f} val_acc={val_acc:.4f}")
