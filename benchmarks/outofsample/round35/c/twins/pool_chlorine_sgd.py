"""Public swimming pool: predict the next hour's free-chlorine demand (mg/L consumed).

Features come from the plant-room controller and the turnstiles: water temperature, pH,
bather count, UV index (outdoor pool), cyanuric-acid level, turnover rate, hours since the
last backwash, and hour of day (as sin/cos). A small MLP is trained with a hand-rolled
SGD update (the controller team ports the update rule to C later).
"""
import math

import numpy as np
import torch
from torch import nn

torch.manual_seed(21)
rng = np.random.default_rng(21)

N = 3000
temp = rng.uniform(24, 31, N)
ph = rng.normal(7.4, 0.15, N)
bathers = rng.poisson(rng.uniform(5, 120, N))
uv = np.clip(rng.normal(4, 2.5, N), 0, 10)
cya = rng.uniform(10, 60, N)
turnover = rng.uniform(3, 6, N)
since_backwash = rng.uniform(0, 160, N)
hour = rng.integers(6, 22, N)

demand = (0.012 * bathers * (1 + 0.06 * (temp - 27))
          + 0.09 * uv * np.exp(-cya / 35)
          + 0.25 * np.maximum(ph - 7.4, 0) * 4
          + 0.002 * since_backwash
          - 0.03 * (turnover - 4.5)
          + rng.normal(0, 0.08, N))

X = np.stack([temp, ph, bathers, uv, cya, turnover, since_backwash,
              np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24)], axis=1).astype(np.float32)
y = demand.astype(np.float32)

idx = rng.permutation(N)
tr, va = idx[:2400], idx[2400:]
x_mu, x_sd = X[tr].mean(0), X[tr].std(0)
y_mu, y_sd = y[tr].mean(), y[tr].std()
Xtr = torch.from_numpy((X[tr] - x_mu) / x_sd)
Xva = torch.from_numpy((X[va] - x_mu) / x_sd)
ytr = torch.from_numpy((y[tr] - y_mu) / y_sd)
yva = torch.from_numpy((y[va] - y_mu) / y_sd)

model = nn.Sequential(nn.Linear(9, 64), nn.Tanh(), nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 1))

lr = 0.05
batch_size = 32
epochs = 30


def evaluate():
    model.eval()
    sse = 0.0
    with torch.no_grad():
        for i in range(0, len(Xva), 200):
            pred = model(Xva[i:i + 200]).squeeze(1)
            sse += nn.functional.mse_loss(pred, yva[i:i + 200], reduction="sum").item()
    mse_std = sse / len(Xva)
    rmse = math.sqrt(mse_std) * y_sd
    r2 = 1 - mse_std / yva.var(unbiased=False).item()
    return mse_std, rmse, r2


for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(Xtr))
    total = 0.0
    for i in range(0, len(Xtr), batch_size):
        b = perm[i:i + batch_size]
        loss = nn.functional.mse_loss(model(Xtr[b]).squeeze(1), ytr[b])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        total += loss.item() * len(b)
    if epoch % 5 == 4 or epoch == epochs - 1:
        mse_std, rmse, r2 = evaluate()
        print(f"epoch {epoch + 1:3d} train_mse {total / len(Xtr):.4f} val_mse {mse_std:.4f} val_rmse {rmse:.4f} mg/L r2 {r2:.3f}")

mse_std, rmse, r2 = evaluate()
print(f"final val_rmse={rmse:.4f} mg/L val_r2={r2:.4f}")
