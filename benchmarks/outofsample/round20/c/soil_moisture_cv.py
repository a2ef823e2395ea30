"""Volumetric soil moisture from cheap field-station readings, scored by 5-fold CV by station.

Readings: capacitive probe count, soil and air temperature, relative humidity, rain over the
last 24 h and 72 h, hours since irrigation, probe depth, NDVI and soil texture (sand, loam,
clay; one-hot). The target (m3/m3) comes from a simulated water balance with a
texture-dependent probe calibration. An MLP on standardised inputs and target.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.model_selection import GroupKFold
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)

N_STATIONS, PER_STATION = 60, 40
rows, groups = [], []
for s in range(N_STATIONS):
    texture = rng.integers(3)
    field_cap = [0.18, 0.30, 0.40][texture] + rng.normal(0, 0.02)
    wilt = [0.05, 0.12, 0.20][texture]
    depth = rng.choice([10.0, 20.0, 40.0])
    ndvi_base = rng.uniform(0.2, 0.8)
    for _ in range(PER_STATION):
        rain24 = rng.exponential(3.0) * (rng.random() < 0.35)
        rain72 = rain24 + rng.exponential(6.0) * (rng.random() < 0.5)
        since_irr = rng.exponential(60.0)
        t_air = rng.normal(22, 6)
        rh = np.clip(rng.normal(60, 15), 10, 100)
        t_soil = t_air - 2 - 0.05 * depth + rng.normal(0, 1)
        wet = 1 - np.exp(-(0.08 * rain24 + 0.03 * rain72) * (20 / depth) ** 0.5)
        dry = np.exp(-since_irr / (40 + 2 * depth)) * 0.6
        et = 0.004 * max(t_air - 10, 0) * (1 - rh / 120)
        theta = wilt + (field_cap - wilt) * np.clip(0.25 + 0.5 * wet + dry - et * 10, 0, 1.1)
        theta += rng.normal(0, 0.03)
        ndvi = np.clip(ndvi_base + 0.3 * (theta - 0.2) + rng.normal(0, 0.05), 0, 1)
        probe = 900 + 2600 * theta * [1.15, 1.0, 0.85][texture] + 4 * t_soil + rng.normal(0, 60)
        onehot = np.eye(3)[texture]
        rows.append([probe, t_soil, t_air, rh, rain24, rain72, since_irr, depth, ndvi, *onehot, theta])
        groups.append(s)

data = np.array(rows, dtype=np.float32)
X, y = data[:, :-1], data[:, -1:]
groups = np.array(groups)
CONTINUOUS = slice(0, 9)


class MoistureNet(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_in, 64), nn.SiLU(),
            nn.Linear(64, 64), nn.SiLU(),
            nn.Linear(64, 1),
        )

    def forward(self, x):
        return self.net(x)


def r2(pred, target):
    return 1 - ((pred - target) ** 2).sum() / ((target - target.mean()) ** 2).sum()


model = MoistureNet(X.shape[1])
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
loss_fn = nn.MSELoss()
scores = []
for fold, (tr, va) in enumerate(GroupKFold(n_splits=5).split(X, y, groups)):
    x_tr, x_va = X[tr].copy(), X[va].copy()
    mu, sd = x_tr[:, CONTINUOUS].mean(0), x_tr[:, CONTINUOUS].std(0)
    x_tr[:, CONTINUOUS] = (x_tr[:, CONTINUOUS] - mu) / sd
    x_va[:, CONTINUOUS] = (x_va[:, CONTINUOUS] - mu) / sd
    y_mu, y_sd = y[tr].mean(), y[tr].std()
    loader = DataLoader(TensorDataset(torch.from_numpy(x_tr), torch.from_numpy((y[tr] - y_mu) / y_sd)),
                        batch_size=64, shuffle=True)

    model = MoistureNet(X.shape[1])
    for epoch in range(25):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()

    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(x_va)) * y_sd + y_mu
    score = r2(pred, torch.from_numpy(y[va])).item()
    scores.append(score)
    print(f"fold {fold}: train loss {loss.item():.4f}  val R2 {score:.4f}")

print(f"CV R2 {np.mean(scores):.4f} +/- {np.std(scores):.4f}")
