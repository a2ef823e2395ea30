"""Heating-load regression for a building stock, small MLP written from scratch.

Features are synthetic building descriptors (compactness, surface, wall/roof area,
height, orientation, glazing); the target is a heating load in kWh/m2.
Training uses a hand-written SGD update with momentum.
"""
import math

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(7)
rng = np.random.default_rng(7)


def make_buildings(n):
    compact = rng.uniform(0.62, 0.98, n)
    surface = rng.uniform(514, 808, n)
    wall = rng.uniform(245, 416, n)
    roof = rng.uniform(110, 220, n)
    height = rng.choice([3.5, 7.0], n)
    orient = rng.uniform(0, 2 * np.pi, n)
    glazing = rng.uniform(0.0, 0.4, n)
    load = (
        28 * compact**2
        + 0.012 * surface
        + 0.02 * wall * (height / 7.0)
        - 0.03 * roof
        + 2.5 * np.sin(orient) * glazing * 10
        + 35 * glazing**1.5
        + 4 * (height > 5) * compact
    )
    load = load + rng.normal(0, 0.6, n)
    X = np.stack([compact, surface, wall, roof, height, np.sin(orient), np.cos(orient), glazing], 1)
    return X.astype(np.float32), load.astype(np.float32)


X, y = make_buildings(3000)
X_tr, y_tr, X_va, y_va = X[:2400], y[:2400], X[2400:], y[2400:]
mu, sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()
X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
X_tr, X_va = torch.from_numpy(X_tr), torch.from_numpy(X_va)
t_tr = torch.from_numpy((y_tr - y_mu) / y_sd)
t_va = torch.from_numpy((y_va - y_mu) / y_sd)


class Dense(nn.Module):
    def __init__(self, fan_in, fan_out):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(fan_out, fan_in))
        self.bias = nn.Parameter(torch.zeros(fan_out))

    def reset_parameters(self):
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        bound = 1 / math.sqrt(self.weight.shape[1])
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        return x @ self.weight.t() + self.bias


class LoadNet(nn.Module):
    def __init__(self, d, h=64):
        super().__init__()
        self.l1 = Dense(d, h)
        self.l2 = Dense(h, h)
        self.out = Dense(h, 1)

    def forward(self, x):
        x = F.silu(self.l1(x))
        x = F.silu(self.l2(x))
        return self.out(x).squeeze(-1)


model = LoadNet(X_tr.shape[1])

lr, beta, epochs, bs = 0.05, 0.9, 40, 64
velocity = [torch.zeros_like(p) for p in model.parameters()]
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(X_tr))
    total = 0.0
    for i in range(0, len(X_tr), bs):
        idx = perm[i:i + bs]
        pred = model(X_tr[idx])
        loss = F.mse_loss(pred, t_tr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(beta).add_(p.grad)
                p -= lr * v
        total += loss.item() * len(idx)
    if epoch % 10 == 9 or epoch == 0:
        model.eval()
        with torch.no_grad():
            va = F.mse_loss(model(X_va), t_va).item()
        print(f"epoch {epoch + 1:3d}  train mse {total / len(X_tr):.4f}  val mse {va:.4f}")

model.eval()
with torch.no_grad():
    pred = model(X_va) * y_sd + y_mu
    resid = pred - torch.from_numpy(y_va)
    rmse = resid.pow(2).mean().sqrt().item()
    r2 = 1 - resid.pow(2).sum().item() / ((torch.from_numpy(y_va) - y_mu) ** 2).sum().item()
print(f"final val RMSE {rmse:.3f} kWh/m2  R2 {r2:.4f}")
