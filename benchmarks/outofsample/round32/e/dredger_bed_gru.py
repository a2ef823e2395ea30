"""Canal dredging: identify the bed material from a cutter-suction dredger's 160 s
trace (1 Hz: slurry pressure, mixture density, cutter torque).

silt / sand / stiff clay / gravel with debris. Debris shows up as a handful of torque
spikes anywhere in the 160 s, and clay as a slow stick-slip sawtooth, so the GRU
reads the whole trace. Routine insurance: clip_grad_norm_(1.0). A short curriculum
trains on the last 60 s for two epochs before the full traces.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)
T = 160
CLASSES = ["silt", "sand", "clay", "gravel"]


def trace(cls):
    t = np.arange(T)
    base_p = rng.uniform(2.0, 3.0)
    pressure = base_p + 0.1 * np.cumsum(rng.normal(0, 0.05, T))
    density = rng.uniform(1.05, 1.15) + rng.normal(0, 0.015, T)
    torque = rng.uniform(0.8, 1.2) + rng.normal(0, 0.12, T)
    if rng.random() < 0.35:                        # an odd snag on any bed
        s = rng.integers(0, T - 3)
        torque[s:s + 2] += rng.uniform(0.3, 0.6)
    if cls == 0:                                   # silt: light, smooth
        density -= 0.01
    elif cls == 1:                                 # sand: denser slurry, slow surging
        period = rng.uniform(35, 60)
        density += 0.025 + 0.02 * np.sin(2 * np.pi * t / period + rng.uniform(0, 6.3))
        pressure += 0.08 * np.sin(2 * np.pi * t / period)
    elif cls == 2:                                 # clay: stick-slip sawtooth in torque
        period = rng.uniform(25, 50)
        phase = (t + rng.uniform(0, period)) % period / period
        torque += rng.uniform(0.12, 0.25) * phase
        density += rng.uniform(0.0, 0.03)
    else:                                          # gravel/debris: rare spikes, pressure dips
        density += rng.uniform(0.0, 0.04)
        for s in rng.choice(T - 3, rng.integers(3, 6), replace=False):
            w = slice(s, min(T, s + 3))
            torque[w] += rng.uniform(0.4, 0.7)
            pressure[w] -= rng.uniform(0.1, 0.3)
    return np.stack([pressure, density, torque], 1)


def dataset(n):
    y = rng.integers(0, 4, n)
    return np.stack([trace(c) for c in y]).astype(np.float32), y


Xtr, ytr = dataset(1200)
Xva, yva = dataset(400)
mu, sd = Xtr.reshape(-1, 3).mean(0), Xtr.reshape(-1, 3).std(0)
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

train_ds = TensorDataset(torch.tensor(Xtr), torch.tensor(ytr))
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.tensor(Xva), torch.tensor(yva)), batch_size=200)


class BedClassifier(nn.Module):
    def __init__(self, n_in=3, hidden=48, n_classes=4):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, num_layers=1, batch_first=True)
        self.head = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x):
        out, h = self.gru(x)
        pooled = torch.cat([h[-1], out.max(dim=1).values], dim=1)
        return self.head(pooled)


model = BedClassifier()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=1)
criterion = nn.CrossEntropyLoss()

for epoch in range(1, 19):
    model.train()
    crop = 60 if epoch <= 2 else T
    total, n = 0.0, 0
    for xb, yb in train_loader:
        xb = xb[:, -crop:]
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        total += loss.item() * len(yb)
        n += len(yb)
    model.eval()
    vloss, correct = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            vloss += criterion(out, yb).item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
    vloss /= len(val_loader.dataset)
    scheduler.step(vloss)
    print(f"epoch {epoch:2d} crop {crop:3d}  train {total / n:.3f}  val {vloss:.3f}  "
          f"acc {correct / len(val_loader.dataset):.3f}  lr {optimizer.param_groups[0]['lr']:.1e}")

print(f"final: val accuracy {correct / len(val_loader.dataset):.3f}")
