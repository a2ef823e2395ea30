"""Rotating-machinery fault diagnosis from simulated accelerometer windows.

Four conditions (healthy, unbalance, misalignment, outer-race bearing defect) are
simulated as shaft harmonics, impulse trains and broadband noise with random
speed and gain. A 1D CNN with BatchNorm and dropout is trained with Adam and a
per-epoch cosine schedule; the best epoch by validation accuracy is kept.
"""
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(1)
rng = np.random.default_rng(1)

FS, N = 2048, 256
CONDITIONS = ["healthy", "unbalance", "misalignment", "bearing"]


def simulate(cond, n):
    t = np.arange(N) / FS
    out = np.empty((n, N), dtype=np.float32)
    for i in range(n):
        f0 = rng.uniform(20, 40)                       # shaft speed, Hz
        x = 0.5 * np.sin(2 * np.pi * f0 * t + rng.uniform(0, 6.28))
        if cond == 1:
            x += rng.uniform(0.6, 1.2) * np.sin(2 * np.pi * f0 * t + rng.uniform(0, 6.28))
        elif cond == 2:
            x += rng.uniform(0.5, 1.0) * np.sin(2 * np.pi * 2 * f0 * t + rng.uniform(0, 6.28))
            x += rng.uniform(0.2, 0.5) * np.sin(2 * np.pi * 3 * f0 * t)
        elif cond == 3:
            bpfo = 3.6 * f0
            pulses = (np.sin(2 * np.pi * bpfo * t) > 0.97).astype(float)
            ring = np.exp(-np.arange(20) / 4.0) * np.sin(2 * np.pi * 0.3 * np.arange(20))
            x += rng.uniform(1.0, 2.0) * np.convolve(pulses, ring, mode="same")
        x += rng.normal(0, 0.6, N)
        out[i] = x * rng.uniform(0.7, 1.4)
    return out


def make_split(n_per_class):
    X = np.concatenate([simulate(c, n_per_class) for c in range(4)])
    y = np.repeat(np.arange(4), n_per_class)
    return torch.from_numpy(X[:, None]), torch.from_numpy(y)


X_tr, y_tr = make_split(500)
X_va, y_va = make_split(150)
mu, sd = X_tr.mean(), X_tr.std()
X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(X_va, y_va), batch_size=50)


class VibNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()

        def block(cin, cout, k):
            return nn.Sequential(nn.Conv1d(cin, cout, k, padding=k // 2, bias=False), nn.BatchNorm1d(cout),
                                 nn.ReLU(), nn.MaxPool1d(2))

        self.features = nn.Sequential(block(1, 16, 15), block(16, 32, 9), block(32, 64, 5), block(64, 64, 3))
        self.dropout = nn.Dropout(0.5)
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        h = self.features(x).mean(-1)
        return self.fc(self.dropout(h))


def run_epoch(model, loader, optimizer):
    model.train()
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    return total / len(loader.dataset)


@torch.no_grad()
def validate(model, loader):
    model.eval()
    correct, total_loss = 0, 0.0
    for xb, yb in loader:
        out = model(xb)
        total_loss += F.cross_entropy(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
    n = len(loader.dataset)
    return total_loss / n, correct / n


model = VibNet()
epochs = 15
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
best_acc, best_state = -1.0, None
for epoch in range(1, epochs + 1):
    tr_loss = run_epoch(model, train_loader, optimizer)
    scheduler.step()
    va_loss, va_acc = validate(model, val_loader)
    if va_acc > best_acc:
        best_acc, best_state = va_acc, copy.deepcopy(model.state_dict())
    print(f"epoch {epoch:2d} train_loss {tr_loss:.4f} val_loss {va_loss:.4f} val_acc {va_acc:.4f}")

model.load_state_dict(best_state)
va_loss, va_acc = validate(model, val_loader)
print(f"final val_acc={va_acc:.4f} val_loss={va_loss:.4f}")
