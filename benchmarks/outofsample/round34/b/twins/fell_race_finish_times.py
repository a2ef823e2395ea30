"""Predict fell-race finish times from runner history and course profile.

Small MLP regressor, hand-rolled SGD update (no torch.optim), minutes de-standardised
for the report.
"""
import math

import numpy as np
import torch
from torch import nn

SEED = 11
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)


def make_results(n):
    distance_km = rng.uniform(5, 42, n)
    climb_m = distance_km * rng.uniform(25, 70, n)
    age = rng.uniform(18, 72, n)
    weekly_km = rng.gamma(4.0, 12.0, n)
    best_rank_pct = rng.beta(2, 3, n) * 100          # best previous placing, percentile of field
    temp_c = rng.normal(11, 6, n)
    wind_ms = rng.gamma(2.0, 3.0, n)
    bog_index = rng.uniform(0, 1, n)                 # ground condition from the course report
    # Naismith-like base pace, slowed by age, heat, wind, bog; sped by fitness and form
    pace = (6.0 + 0.012 * (age - 35) ** 2 / 10 - 0.018 * weekly_km + 0.025 * best_rank_pct
            + 0.06 * np.abs(temp_c - 9) + 0.09 * wind_ms + 1.4 * bog_index)
    minutes = distance_km * np.clip(pace, 3.5, None) + climb_m / 10 + rng.normal(0, 8, n)
    X = np.column_stack([distance_km, climb_m, age, weekly_km, best_rank_pct, temp_c, wind_ms, bog_index])
    return X.astype(np.float32), minutes.astype(np.float32)


X, y = make_results(3200)
n_tr = 2600
X_tr, X_va, y_tr, y_va = X[:n_tr], X[n_tr:], y[:n_tr], y[n_tr:]
mu, sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()
X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
t_tr, t_va = (y_tr - y_mu) / y_sd, (y_va - y_mu) / y_sd
X_tr, X_va, t_tr, t_va = map(torch.from_numpy, (X_tr, X_va, t_tr, t_va))

model = nn.Sequential(
    nn.Linear(8, 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 1),
)
loss_fn = nn.MSELoss()
lr, batch_size, epochs = 0.05, 64, 25


def evaluate():
    model.eval()
    with torch.no_grad():
        pred = model(X_va).squeeze(-1)
    model.train()
    rmse_min = torch.sqrt(((pred - t_va) ** 2).mean()).item() * y_sd
    r2 = 1 - ((pred - t_va) ** 2).sum().item() / ((t_va - t_va.mean()) ** 2).sum().item()
    return rmse_min, r2


for epoch in range(1, epochs + 1):
    perm = torch.randperm(n_tr)
    running = 0.0
    for i in range(0, n_tr, batch_size):
        idx = perm[i:i + batch_size]
        xb, yb = X_tr[idx], t_tr[idx]
        pred = model(xb).squeeze(-1)
        loss = loss_fn(pred, yb)
        for p in model.parameters():
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(idx)
    if epoch % 5 == 0 or epoch == 1:
        rmse, r2 = evaluate()
        print(f"epoch {epoch:2d}  train_mse {running / n_tr:.4f}  val_rmse {rmse:.1f} min  val_r2 {r2:.3f}")

rmse, r2 = evaluate()
print(f"final val_rmse_minutes={rmse:.2f} val_r2={r2:.3f} (std of finish time {y_va.std():.1f} min)")
