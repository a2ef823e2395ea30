"""Blade growth (cm/day) on seeded kelp longlines from mooring-buoy sensors and line logs.

Each row is one line-week: water temperature, nitrate, light at line depth, current, swell,
salinity, turbidity, line depth, days since out-planting, seeding density and the site.
Plain MLP regressor trained with a hand-written SGD update (no torch.optim).
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 7
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

# ------------------------------------------------------------------ synthetic line-week log
N_SITES = 5
n = 3200
site = rng.integers(0, N_SITES, n)
site_temp = np.array([9.5, 11.0, 12.5, 10.2, 13.4])
week = rng.integers(0, 30, n)
temp = site_temp[site] + 2.5 * np.sin(2 * np.pi * (week - 8) / 52) + rng.normal(0, 0.8, n)
nitrate = np.clip(14 - 0.9 * (temp - 9) + rng.normal(0, 2.0, n), 0.2, None)          # umol/L
depth = rng.choice([2.0, 3.0, 4.0, 6.0], n)                                           # m
turbidity = rng.gamma(2.0, 1.5, n)                                                    # NTU
par = 900 * np.exp(-(0.08 + 0.03 * turbidity) * depth) * (0.8 + 0.2 * np.cos(2 * np.pi * week / 52))
current = rng.gamma(3.0, 0.07, n)                                                     # m/s
swell = rng.gamma(2.5, 0.6, n)                                                        # m
salinity = 33.5 - 0.4 * rng.gamma(1.5, 1.0, n)
days = week * 7 + rng.integers(0, 7, n)
density = rng.choice([500, 1000, 2000], n)                                            # plants/m

light_term = par / (par + 120.0)
nutrient_term = nitrate / (nitrate + 2.5)
temp_term = np.exp(-((temp - 11.0) / 3.0) ** 2)
flow_term = 1 - np.exp(-current / 0.08)
age_term = 1.0 / (1 + np.exp(-(days - 40) / 15.0)) * np.exp(-days / 400)
crowding = 1.0 / (1 + density / 2500)
growth = 6.0 * light_term * nutrient_term * temp_term * flow_term * age_term * crowding
growth = growth - 0.35 * np.clip(swell - 2.0, 0, None) + rng.normal(0, 0.18, n)
growth = np.clip(growth, 0, None)

X = np.column_stack([temp, nitrate, par, current, swell, salinity, turbidity, depth, days, density,
                     np.eye(N_SITES)[site]]).astype(np.float32)
y = growth.astype(np.float32)[:, None]

perm = rng.permutation(n)
tr, va, te = perm[:2200], perm[2200:2700], perm[2700:]
n_cont = 10
mu, sd = X[tr, :n_cont].mean(0), X[tr, :n_cont].std(0)
X[:, :n_cont] = (X[:, :n_cont] - mu) / sd

Xtr, ytr = torch.from_numpy(X[tr]), torch.from_numpy(y[tr])
Xva, yva = torch.from_numpy(X[va]), torch.from_numpy(y[va])
Xte, yte = torch.from_numpy(X[te]), torch.from_numpy(y[te])
train_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)

# ------------------------------------------------------------------ model
model = nn.Sequential(
    nn.Linear(X.shape[1], 64), nn.SiLU(),
    nn.Linear(64, 64), nn.SiLU(),
    nn.Linear(64, 1),
)
with torch.no_grad():
    model[-1].bias.fill_(float(ytr.mean()))

lr = 0.1
epochs = 50


def rmse(xs, ys):
    model.eval()
    with torch.no_grad():
        return math.sqrt(F.mse_loss(model(xs), ys).item())


for epoch in range(1, epochs + 1):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        pred = model(xb)
        loss = F.mse_loss(pred, yb)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(xb)
    if epoch % 5 == 0:
        print(f"epoch {epoch:3d}  train loss {running / len(Xtr):.4f}  val RMSE {rmse(Xva, yva):.4f} cm/day")

baseline = math.sqrt(((yte - ytr.mean()) ** 2).mean().item())
print(f"test RMSE {rmse(Xte, yte):.4f} cm/day (predict-the-mean baseline {baseline:.4f})")
