"""Rebreather oxygen-cell health from a dive's logged cell traces (cave-diving club's logbooks).

Each dive log is 120 samples (one per 15 s) of: depth, PO2 setpoint, and the three oxygen
cells' readings in bar PO2. Classes: 0 all cells healthy, 1 one cell current-limited
(reads flat above ~1.2 bar), 2 one slow cell (lags setpoint changes), 3 one drifting cell.
A GRU over the whole log; gradient clipping kept on as routine insurance for the recurrence.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEED = 2024
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)
T = 120


def dive(c):
    t = np.arange(T)
    max_depth = rng.uniform(20, 60)
    bottom = rng.uniform(0.35, 0.6) * T
    depth = np.clip(np.minimum(t * rng.uniform(1.2, 2.4), max_depth), 0, None)
    asc = t > bottom
    depth[asc] = np.maximum(max_depth - (t[asc] - bottom) * rng.uniform(0.6, 1.0), 0)
    # low setpoint near the surface, high setpoint at depth
    sp = np.where(depth > 6, rng.choice([1.2, 1.3, 1.4]), 0.7)
    ppo2 = sp + rng.normal(0, 0.03, T)
    cells = np.stack([ppo2 * rng.uniform(0.98, 1.02) + rng.normal(0, 0.02, T) for _ in range(3)])
    bad = rng.integers(0, 3)
    if c == 1:
        cap = rng.uniform(1.0, 1.15)
        cells[bad] = np.minimum(cells[bad], cap + rng.normal(0, 0.01, T))
    elif c == 2:
        a = rng.uniform(0.05, 0.12)
        slow = np.empty(T)
        slow[0] = cells[bad, 0]
        for i in range(1, T):
            slow[i] = slow[i - 1] + a * (cells[bad, i] - slow[i - 1])
        cells[bad] = slow
    elif c == 3:
        cells[bad] = cells[bad] * (1 - rng.uniform(0.0015, 0.0027) * t)
    feats = np.stack([depth / 30.0, sp] + list(cells), axis=1)
    return feats.astype(np.float32)


def make(n):
    y = rng.integers(0, 4, n)
    return np.stack([dive(c) for c in y]), y


Xtr, ytr = make(1024)
Xva, yva = make(256)
mean = Xtr.reshape(-1, Xtr.shape[-1]).mean(0)
std = Xtr.reshape(-1, Xtr.shape[-1]).std(0)
Xtr = (Xtr - mean) / std
Xva = (Xva - mean) / std

train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=128)


class CellGRU(nn.Module):
    def __init__(self, n_in=5, hidden=48, n_classes=4):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.out = nn.Sequential(nn.Linear(2 * hidden, 64), nn.ReLU(), nn.Linear(64, n_classes))

    def forward(self, x):
        seq, h = self.gru(x)
        return self.out(torch.cat([h[-1], seq.mean(1)], dim=1))


model = CellGRU()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.3)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(12):
    model.train()
    tot = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        tot += loss.item() * len(xb)
    scheduler.step()
    model.eval()
    correct, vloss = 0, 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            logits = model(xb)
            vloss += loss_fn(logits, yb).item() * len(xb)
            correct += (logits.argmax(1) == yb).sum().item()
    print(f"epoch {epoch + 1:2d} train {tot / len(Xtr):.4f} val {vloss / len(Xva):.4f} acc {correct / len(Xva):.4f}")

print(f"final val accuracy {correct / len(Xva):.4f}")
