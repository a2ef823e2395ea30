"""Tidal mill: flour milled per tide cycle.

A restored tide mill logs, for every ebb, the tidal range, the head of water in
the mill pond at sluice opening, the hours the wheel turned, the millstone gap,
grain moisture and the day of the year. We predict kilograms milled.
The update is written by hand (SGD with momentum and decoupled weight decay),
as in the classic "neural networks from scratch" notebooks; targets are
standardised for training and mapped back to kg for reporting.
"""
import math

import numpy as np
import torch
from torch import nn

torch.manual_seed(3)
rng = np.random.default_rng(3)

N = 2600
day = rng.integers(0, 365, N)
lunar = rng.uniform(0, 2 * math.pi, N)                 # phase of the spring-neap cycle
tide_range = 4.5 + 1.6 * np.cos(lunar) + rng.normal(0, 0.3, N)          # m
pond_head = np.clip(0.55 * tide_range + rng.normal(0, 0.35, N), 0.3, None)  # m
hours = np.clip(1.2 * pond_head + rng.normal(0, 0.4, N), 0.5, 6.0)
gap_mm = rng.uniform(0.4, 1.4, N)
moisture = rng.uniform(11.0, 17.0, N)                  # %
flow = pond_head ** 1.5
kg = (38 * flow * hours * (1.0 - 0.35 * (gap_mm - 0.9) ** 2)
      * (1.0 - 0.04 * np.maximum(moisture - 14.5, 0))
      * (1.0 + 0.05 * np.sin(2 * math.pi * day / 365)) * np.exp(rng.normal(0, 0.15, N))
      + rng.normal(0, 20.0, N))

X = np.stack([tide_range, pond_head, hours, gap_mm, moisture,
              np.sin(2 * math.pi * day / 365), np.cos(2 * math.pi * day / 365)], 1)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(kg, dtype=torch.float32)[:, None]

perm = torch.randperm(N)
tr, va = perm[:2000], perm[2000:]
x_mu, x_sd = X[tr].mean(0), X[tr].std(0)
y_mu, y_sd = y[tr].mean(), y[tr].std()
Xs = (X - x_mu) / x_sd
ys = (y - y_mu) / y_sd

model = nn.Sequential(nn.Linear(7, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
params = list(model.parameters())
velocity = [torch.zeros_like(p) for p in params]
lr, momentum, wd = 0.01, 0.9, 1e-4
batch = 32


def val_metrics():
    with torch.no_grad():
        pred = model(Xs[va]) * y_sd + y_mu
        mae = (pred - y[va]).abs().mean().item()
        r2 = 1 - ((pred - y[va]) ** 2).sum().item() / ((y[va] - y[va].mean()) ** 2).sum().item()
    return mae, r2


for epoch in range(40):
    order = tr[torch.randperm(len(tr))]
    running = 0.0
    for i in range(0, len(order), batch):
        b = order[i:i + batch]
        loss = ((model(Xs[b]) - ys[b]) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p, v in zip(params, velocity):
                v.mul_(momentum).add_(p.grad)
                p -= lr * v
                p -= lr * wd * p
        running += loss.item() * len(b)
    if epoch == 29:
        lr *= 0.2
    if epoch % 10 == 9:
        mae, r2 = val_metrics()
        print(f"epoch {epoch + 1:2d} train mse(std) {running / len(tr):.4f} val MAE {mae:.2f} kg R2 {r2:.3f}")

mae, r2 = val_metrics()
base = (y[va] - y[tr].mean()).abs().mean().item()
print(f"mean-predictor MAE {base:.2f} kg")
print(f"final val MAE {mae:.2f} kg  R2 {r2:.3f}")
