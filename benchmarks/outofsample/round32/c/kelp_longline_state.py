"""Kelp farm long-line state from a day of load-cell readings.

Each seeded long-line carries a load cell at the head buoy logging tension
(and the wave buoy's significant height) every 15 minutes. Divers' inspection
notes give the line state: growing well, fouled, entangled or slack (anchor
dragging). A GRU reads the whole day; we keep an EMA copy of the weights for
evaluation and save that copy for the farm's dashboard.
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)
rng = np.random.default_rng(8)
STATES = ["growing", "fouled", "entangled", "slack"]
STEPS = 96                                     # one day at 15-minute resolution


def load_cell_days(n):
    t = np.arange(STEPS) / 4.0                   # hours
    state = rng.integers(0, 4, n)
    tide = np.sin(2 * np.pi * (t[None, :] / 12.42) + rng.uniform(0, 2 * np.pi, (n, 1)))
    waves = np.abs(1.0 + 0.4 * np.sin(2 * np.pi * t[None, :] / 24 + rng.uniform(0, 6, (n, 1)))
                   + rng.normal(0, 0.15, (n, STEPS)))
    biomass = rng.uniform(0.6, 1.4, (n, 1))
    tension = biomass * (1.0 + 0.35 * tide) + 0.25 * waves
    fouled = state == 1
    tension[fouled] = biomass[fouled] * (1.25 + 0.15 * tide[fouled]) + 0.25 * waves[fouled]
    for i in np.where(state == 2)[0]:            # snags: sudden short load spikes
        for s in rng.choice(STEPS - 3, rng.integers(2, 5), replace=False):
            tension[i, s:s + rng.integers(1, 4)] += rng.uniform(1.0, 1.8)
    for i in np.where(state == 3)[0]:            # anchor starts dragging at some point in the day
        s = rng.integers(8, STEPS - 16)
        tension[i, s:] *= np.linspace(1.0, 0.55, STEPS - s)
    tension += rng.normal(0, 0.08, (n, STEPS))
    x = np.stack([(tension - 1.25) / 0.45, (waves - 1.0) / 0.35], axis=-1)
    return x.astype(np.float32), state


class LineStateGRU(nn.Module):
    def __init__(self, n_in=2, hidden=48, n_out=4):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_out))

    def forward(self, x):
        out, h = self.gru(x)
        pooled = torch.cat([h[-1], out.mean(1)], dim=1)
        return self.head(pooled)


@torch.no_grad()
def evaluate(net, loader):
    net.eval()
    correct, total, loss = 0, 0, 0.0
    for xb, yb in loader:
        logits = net(xb)
        loss += nn.functional.cross_entropy(logits, yb, reduction="sum").item()
        correct += (logits.argmax(1) == yb).sum().item()
        total += len(yb)
    return loss / total, correct / total


X, y = load_cell_days(2000)
X, y = torch.from_numpy(X), torch.from_numpy(y)
train_loader = DataLoader(TensorDataset(X[:1600], y[:1600]), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(X[1600:], y[1600:]), batch_size=200)

model = LineStateGRU()
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
EMA_DECAY = 0.95
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
EPOCHS = 20
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS, eta_min=3e-4)
criterion = nn.CrossEntropyLoss()

for epoch in range(1, EPOCHS + 1):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        optimizer.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(EMA_DECAY).add_(pm, alpha=1 - EMA_DECAY)
    scheduler.step()
    val_loss, val_acc = evaluate(ema, val_loader)
    print(f"epoch {epoch:2d}  last batch loss {loss.item():.3f}  EMA val loss {val_loss:.3f}  val acc {val_acc:.3f}")

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "longline_state_ema.pt")
    torch.save(ema, path)
    served = torch.load(path, weights_only=False)
_, served_acc = evaluate(served, val_loader)
print(f"saved EMA model, validation accuracy {served_acc:.3f}")
