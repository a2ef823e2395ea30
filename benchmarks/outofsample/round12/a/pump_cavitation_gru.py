"""Detect the onset of cavitation in centrifugal pumps from long pressure traces
(256 samples per trace, 3 channels: suction pressure, discharge pressure, motor current).
A GRU reads the whole trace; gradient-norm clipping as routine insurance, OneCycle LR."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)
rng = np.random.default_rng(21)
T = 256


def trace(label):
    t = np.arange(T)
    f = rng.uniform(0.03, 0.06)
    suction = 1.0 + 0.1 * np.sin(2 * np.pi * f * t + rng.uniform(0, 6)) + rng.normal(0, 0.05, T)
    discharge = 3.0 + 0.2 * np.sin(2 * np.pi * f * t + rng.uniform(0, 6)) + rng.normal(0, 0.08, T)
    current = 5.0 + 0.1 * rng.standard_normal(T).cumsum() / np.sqrt(T)
    if label == 1:
        # late in the trace: suction dips, discharge gets bursty, current drops slightly
        onset = rng.integers(60, 230)
        ramp = np.clip((t - onset) / 40.0, 0, 1)
        suction -= 0.03 * ramp
        discharge += ramp * rng.normal(0, 0.07, T)
        current -= 0.02 * ramp
    return np.stack([suction, discharge, current], axis=1)


n = 1000
y = rng.integers(0, 2, size=n)
X = np.stack([trace(c) for c in y]).astype(np.float32)
n_tr = 750
mu = X[:n_tr].reshape(-1, 3).mean(0)
sd = X[:n_tr].reshape(-1, 3).std(0)
X = (X - mu) / sd

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr]).float()),
                          batch_size=50, shuffle=True)
X_va = torch.from_numpy(X[n_tr:])
y_va = torch.from_numpy(y[n_tr:]).float()


class Detector(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(3, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1]).squeeze(-1)


model = Detector()
epochs = 6
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-2, total_steps=epochs * len(train_loader))
crit = nn.BCEWithLogitsLoss()

for epoch in range(epochs):
    model.train()
    for xb, yb in train_loader:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        logits = model(X_va)
        val_loss = crit(logits, y_va).item()
        acc = ((logits > 0).float() == y_va).float().mean().item()
    print(f"epoch {epoch + 1}: train_loss {loss.item():.4f} val_loss {val_loss:.4f} val_acc {acc:.4f}")

print(f"final val_loss={val_loss:.4f} val_acc={acc:.4f}")
