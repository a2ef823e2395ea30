"""Next-hour PM2.5 nowcast for a single roadside monitoring station.

Rows are hourly snapshots exported from the station logger (pollutants, met sensors,
calendar); the target is the PM2.5 reading one hour later. Small MLP, plain minibatch SGD
written out by hand.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SEED = 7
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

FEATURES = [
    "pm25", "pm10", "no2", "o3", "co", "temp_c", "rh", "wind_ms",
    "wind_sin", "wind_cos", "pressure_hpa", "hour_sin", "hour_cos",
    "traffic_vph",
]


def station_export(n):
    hour = rng.integers(0, 24, n)
    weekday = rng.integers(0, 7, n)
    doy = rng.integers(0, 365, n)
    winter = np.cos(2 * np.pi * doy / 365.0)
    temp = 12 - 9 * winter + 4 * np.sin(2 * np.pi * (hour - 9) / 24) + rng.normal(0, 2.5, n)
    rh = np.clip(65 + 12 * winter - 1.2 * (temp - 12) + rng.normal(0, 8, n), 15, 100)
    wind = rng.gamma(2.0, 1.6, n)
    wdir = rng.uniform(0, 2 * np.pi, n)
    pressure = 1013 + 6 * winter + rng.normal(0, 5, n)
    rush = np.exp(-((hour - 8) ** 2) / 6) + np.exp(-((hour - 18) ** 2) / 8)
    workday = (weekday < 5).astype(float)
    base = 14 + 10 * winter + 9 * rush * (0.5 + workday) + 0.25 * (rh - 60) - 2.5 * wind
    pm25 = np.clip(base + rng.gamma(2.0, 3.0, n), 2, None)
    pm10 = pm25 * rng.uniform(1.3, 2.0, n) + rng.normal(0, 3, n)
    no2 = np.clip(18 + 22 * rush * (0.4 + workday) - 2.0 * wind + rng.normal(0, 5, n), 1, None)
    o3 = np.clip(55 - 0.6 * no2 + 1.2 * (temp - 12) + 2 * wind + rng.normal(0, 6, n), 1, None)
    co = 0.25 + 0.012 * no2 + rng.normal(0, 0.05, n)
    traffic = np.clip(350 + 1100 * rush * (0.4 + workday) + rng.normal(0, 120, n), 20, None)
    elevation = np.full(n, 38.0)
    # next hour: persistence, dispersion by wind from the south-west, rush-hour build-up
    sw = np.cos(wdir - 5 * np.pi / 4)
    nxt = (0.72 * pm25 + 0.08 * pm10 - 1.1 * wind * (1 + 0.4 * sw) + 0.12 * no2
           + 0.004 * traffic + 0.06 * (rh - 60) + 0.15 * (pressure - 1013) + 4.0)
    nxt = np.clip(nxt + rng.normal(0, 2.0, n), 1, None)
    cols = {
        "pm25": pm25, "pm10": pm10, "no2": no2, "o3": o3, "co": co, "temp_c": temp,
        "rh": rh, "wind_ms": wind, "wind_sin": np.sin(wdir), "wind_cos": np.cos(wdir),
        "pressure_hpa": pressure, "hour_sin": np.sin(2 * np.pi * hour / 24),
        "hour_cos": np.cos(2 * np.pi * hour / 24), "traffic_vph": traffic, "elevation_m": elevation,
    }
    X = np.stack([cols[f] for f in FEATURES], 1).astype(np.float32)
    return X, nxt.astype(np.float32)


X, y = station_export(6000)
idx = rng.permutation(len(X))
tr, va = idx[:4800], idx[4800:]

mu, sd = X[tr].mean(0), X[tr].std(0)
Xs = (X - mu) / sd
y_mu, y_sd = y[tr].mean(), y[tr].std()
ys = (y - y_mu) / y_sd

X_tr, y_tr = torch.from_numpy(Xs[tr]), torch.from_numpy(ys[tr])
X_va, y_va = torch.from_numpy(Xs[va]), torch.from_numpy(ys[va])

model = nn.Sequential(
    nn.Linear(len(FEATURES), 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 1),
)

lr, batch_size, epochs = 0.05, 64, 30
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(X_tr))
    running = 0.0
    for i in range(0, len(perm), batch_size):
        b = perm[i:i + batch_size]
        pred = model(X_tr[b]).squeeze(-1)
        loss = F.mse_loss(pred, y_tr[b])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(b)
    if epoch % 5 == 4 or epoch == epochs - 1:
        model.eval()
        with torch.no_grad():
            sse = F.mse_loss(model(X_va).squeeze(-1), y_va, reduction="sum").item()
        print(f"epoch {epoch + 1:2d}  train mse {running / len(X_tr):.4f}  val mse {sse / len(X_va):.4f}")

model.eval()
with torch.no_grad():
    pred = model(X_va).squeeze(-1).numpy() * y_sd + y_mu
truth = y[va]
rmse = math.sqrt(float(np.mean((pred - truth) ** 2)))
r2 = 1 - float(np.sum((pred - truth) ** 2) / np.sum((truth - truth.mean()) ** 2))
print(f"val RMSE {rmse:.2f} ug/m3  R2 {r2:.3f}")
