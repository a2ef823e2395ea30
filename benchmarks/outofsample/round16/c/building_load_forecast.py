"""Hourly electricity load of an office building from weather, calendar and occupancy.

A small MLP regressor trained with a plain hand-written SGD-with-momentum update (the
deployment target has no torch.optim). Inputs and target are standardised with training
statistics; evaluation accumulates squared errors over the validation set.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(1)
rng = np.random.default_rng(1)

n_hours = 24 * 200
hour = np.arange(n_hours) % 24
day = np.arange(n_hours) // 24
weekday = (day % 7 < 5).astype(float)
season = np.sin(2 * np.pi * day / 365.0)
temp = 12 + 10 * season + 6 * np.sin(2 * np.pi * (hour - 9) / 24) + rng.normal(0, 2.5, n_hours)
humidity = np.clip(60 - 0.8 * (temp - 12) + rng.normal(0, 8, n_hours), 15, 100)
occupancy = weekday * np.clip(np.exp(-((hour - 13) / 3.5) ** 2) + rng.normal(0, 0.05, n_hours), 0, 1)
solar = np.clip(np.sin(np.pi * (hour - 6) / 12), 0, None) * (0.6 + 0.4 * season)

hvac = 3.2 * np.clip(temp - 21, 0, None) ** 1.2 + 2.1 * np.clip(16 - temp, 0, None) ** 1.1
load = (40 + 55 * occupancy + hvac * (0.4 + 0.6 * occupancy) + 0.05 * humidity * (temp > 22)
        - 8 * solar + rng.normal(0, 3, n_hours))

X = np.stack([temp, humidity, occupancy, solar, weekday,
              np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24), season], axis=1)
split = int(0.8 * n_hours)  # last 40 days held out
X_tr, X_va, y_tr, y_va = X[:split], X[split:], load[:split], load[split:]
x_mu, x_sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()


def to_tensors(Xp, yp):
    return (torch.tensor((Xp - x_mu) / x_sd, dtype=torch.float32),
            torch.tensor((yp - y_mu) / y_sd, dtype=torch.float32))


train_loader = DataLoader(TensorDataset(*to_tensors(X_tr, y_tr)), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(*to_tensors(X_va, y_va)), batch_size=512)

model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
lr, momentum = 0.02, 0.9
velocity = [torch.zeros_like(p) for p in model.parameters()]


def evaluate():
    model.eval()
    sse, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            pred = model(xb).squeeze(1)
            sse += ((pred - yb) ** 2).sum().item()
            n += len(yb)
    mse = sse / n
    return math.sqrt(mse) * y_sd, 1.0 - mse / ((torch.tensor((y_va - y_mu) / y_sd)).var(unbiased=False).item())


for epoch in range(1, 16):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        pred = model(xb)
        loss = F.mse_loss(pred, yb)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(momentum).add_(p.grad)
                p -= lr * v
        total += loss.item() * len(yb)
    if epoch % 3 == 0:
        rmse, r2 = evaluate()
        print(f"epoch {epoch:2d}  train_mse {total / len(X_tr):.4f}  val_rmse {rmse:.2f} kWh  val_r2 {r2:.3f}")

rmse, r2 = evaluate()
print(f"final val_r2 {r2:.4f}  val_rmse {rmse:.2f} kWh")
