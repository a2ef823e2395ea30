"""Heating-load regression for building designs with a small residual MLP and Huber loss.

Synthetic stand-in for the UCI energy-efficiency table: eight design parameters (compactness,
surface/wall/roof area, height, orientation, glazing area and its distribution) and a heating
load in kWh/m^2 with measurement outliers, hence the Huber loss.
"""
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)


def make_buildings(n=3000):
    compact = rng.uniform(0.6, 1.0, n)
    surface = rng.uniform(500, 820, n)
    wall = rng.uniform(240, 420, n)
    roof = rng.uniform(110, 220, n)
    height = rng.choice([3.5, 7.0], n)
    orient = rng.integers(2, 6, n).astype(float)
    glazing = rng.choice([0.0, 0.1, 0.25, 0.4], n)
    gdist = rng.integers(0, 6, n).astype(float)
    load = (8 + 30 * (height / 7.0) * compact ** 2 + 0.02 * wall - 0.03 * (roof - 160)
            + 35 * glazing * (1 + 0.15 * np.sin(gdist)) + 0.4 * np.cos(orient * np.pi / 2)
            + 6 * np.tanh((surface - 660) / 80) * (height > 5))
    load += rng.normal(0, 1.0, n)
    outliers = rng.random(n) < 0.03
    load[outliers] += rng.normal(0, 12, outliers.sum())
    X = np.stack([compact, surface, wall, roof, height, orient, glazing, gdist], 1)
    return X.astype(np.float32), load.astype(np.float32)


class ResBlock(nn.Module):
    def __init__(self, dim, p=0.1):
        super().__init__()
        self.body = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, dim), nn.SiLU(),
                                  nn.Dropout(p), nn.Linear(dim, dim))

    def forward(self, x):
        return x + self.body(x)


class Regressor(nn.Module):
    def __init__(self, d_in, width=96, depth=3):
        super().__init__()
        self.stem = nn.Linear(d_in, width)
        self.blocks = nn.Sequential(*[ResBlock(width) for _ in range(depth)])
        self.out = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, 1))

    def forward(self, x):
        return self.out(self.blocks(self.stem(x))).squeeze(-1)


X, y = make_buildings()
idx = rng.permutation(len(X))
tr, va = idx[:2400], idx[2400:]
x_mu, x_sd = X[tr].mean(0), X[tr].std(0)
y_mu, y_sd = y[tr].mean(), y[tr].std()
Xs = (X - x_mu) / x_sd
ys = (y - y_mu) / y_sd

train_loader = DataLoader(TensorDataset(torch.from_numpy(Xs[tr]), torch.from_numpy(ys[tr])),
                          batch_size=64, shuffle=True)
Xv, yv = torch.from_numpy(Xs[va]), torch.from_numpy(y[va])

model = Regressor(X.shape[1])
criterion = nn.HuberLoss(delta=1.0)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=2)

best = float("inf")
ckpt = os.path.join(tempfile.mkdtemp(), "energy_resmlp_best.pt")
for epoch in range(20):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        pred = model(Xv) * y_sd + y_mu
        val_mae = (pred - yv).abs().mean().item()
        val_r2 = 1 - ((pred - yv) ** 2).sum().item() / ((yv - yv.mean()) ** 2).sum().item()
    scheduler.step(val_mae)
    if val_mae < best:
        best = val_mae
        torch.save(model, ckpt)
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d}  val MAE {val_mae:.3f} kWh/m2  R2 {val_r2:.4f}")

model = torch.load(ckpt, weights_only=False)
model.eval()
with torch.no_grad():
    pred = model(Xv) * y_sd + y_mu
print(f"final val MAE {(pred - yv).abs().mean().item():.3f} kWh/m2, "
      f"R2 {1 - ((pred - yv) ** 2).sum().item() / ((yv - yv.mean()) ** 2).sum().item():.4f}")
