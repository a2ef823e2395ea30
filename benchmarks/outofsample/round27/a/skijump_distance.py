"""Ski jumping: predict the landing distance (m) of a jump on a HS-140 hill from the
in-run speed, gate, take-off timing, wind (head/tail, gusts), air temperature, jumper
mass and suit/ski length ratios. Falls and mistimed take-offs give a heavy lower tail,
so the regression is trained with a Huber loss on standardised distances.

Small MLP trained with a hand-written SGD + momentum update, an EMA copy of the
weights for scoring, and the EMA checkpoint saved and reloaded before the final test."""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn

torch.manual_seed(17)
rng = np.random.default_rng(17)


def jumps(n):
    speed = rng.normal(91.5, 1.1, n)                 # km/h at take-off
    gate = rng.integers(8, 22, n).astype(float)
    timing = rng.normal(0.0, 1.0, n)                 # take-off timing error, 0 = perfect
    wind = rng.normal(0.2, 0.9, n)                   # m/s, + = head wind
    gust = np.abs(rng.normal(0.0, 0.5, n))
    temp = rng.normal(-4, 5, n)
    mass = rng.normal(60, 4, n)
    ski_ratio = rng.normal(1.44, 0.03, n)
    suit = rng.normal(1.0, 0.05, n)
    dist = (128 + 3.1 * (speed - 91.5) + 0.4 * (gate - 15) + 5.5 * wind - 2.0 * gust
            - 2.5 * timing ** 2 + 0.15 * (temp + 4) - 0.35 * (mass - 60)
            + 60 * (ski_ratio - 1.44) + 8 * (suit - 1.0) + rng.normal(0, 2.0, n))
    bad = rng.random(n) < 0.06                       # a bad landing / balance loss in the air
    dist = np.where(bad, dist - rng.exponential(18, n), dist)
    X = np.column_stack([speed, gate, timing, wind, gust, temp, mass, ski_ratio, suit])
    return X.astype(np.float32), dist.astype(np.float32)


X, y = jumps(3600)
X_tr, y_tr, X_te, y_te = X[:3000], y[:3000], X[3000:], y[3000:]
x_mu, x_sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()
X_tr, X_te = torch.from_numpy((X_tr - x_mu) / x_sd), torch.from_numpy((X_te - x_mu) / x_sd)
t_tr = torch.from_numpy((y_tr - y_mu) / y_sd)
y_te = torch.from_numpy(y_te)

model = nn.Sequential(nn.Linear(9, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)

loss_fn = nn.HuberLoss(delta=1.0)
lr, mom, decay, batch = 0.05, 0.9, 0.995, 64
velocity = [torch.zeros_like(p) for p in model.parameters()]


def evaluate(net):
    net.eval()
    with torch.no_grad():
        pred = net(X_te).squeeze(1) * float(y_sd) + float(y_mu)
        abs_err = (pred - y_te).abs().sum().item()
    net.train()
    return abs_err / len(y_te)


step = 0
for epoch in range(25):
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(perm), batch):
        idx = perm[i:i + batch]
        loss = loss_fn(model(X_tr[idx]).squeeze(1), t_tr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(mom).add_(p.grad)
                p -= lr * v
            for pe, p in zip(ema.parameters(), model.parameters()):
                pe.mul_(decay).add_(p, alpha=1 - decay)
        step += 1
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}  test MAE {evaluate(model):.2f} m  EMA {evaluate(ema):.2f} m")

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "skijump_ema.pt")
    torch.save(ema, path)
    best = torch.load(path, weights_only=False)
print(f"final test MAE {evaluate(best):.3f} m")
