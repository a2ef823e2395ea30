"""Battery state-of-health regression from cycling logs.

Each row summarises a cell's cycling history; the target is remaining capacity (% of
nominal). A small MLP trained with a hand-written SGD step (no torch.optim), the way
our embedded team ports it to their own runtime.
"""
import math

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(0)
rng = np.random.default_rng(0)

FEATURES = ["cycles", "mean_temp_c", "max_temp_c", "depth_of_discharge", "charge_c_rate",
            "discharge_c_rate", "rest_hours", "calendar_days", "mean_soc", "ir_mohm"]


def simulate_cells(n):
    cycles = rng.gamma(3.0, 250.0, n)
    mean_t = rng.normal(28, 6, n)
    max_t = mean_t + rng.gamma(2.0, 3.0, n)
    dod = rng.uniform(0.2, 1.0, n)
    c_chg = rng.lognormal(-0.3, 0.4, n)
    c_dis = rng.lognormal(0.0, 0.35, n)
    rest = rng.exponential(6.0, n)
    days = cycles / rng.uniform(0.5, 2.0, n) + rng.uniform(0, 200, n)
    soc = rng.uniform(0.3, 0.9, n)
    ir = 18 + 0.004 * cycles + rng.normal(0, 1.5, n)
    arrhenius = np.exp(0.045 * (mean_t - 25))
    cyc_fade = 0.012 * cycles ** 0.8 * dod ** 1.3 * arrhenius * (1 + 0.25 * (c_chg - 0.8) ** 2)
    cal_fade = 0.9 * np.sqrt(days / 30) * np.exp(1.8 * (soc - 0.6)) * arrhenius
    heat = 0.02 * np.clip(max_t - 45, 0, None) ** 2
    soh = 100 - cyc_fade - cal_fade - heat - 0.5 * c_dis + 0.05 * np.log1p(rest) + rng.normal(0, 0.6, n)
    X = np.stack([cycles, mean_t, max_t, dod, c_chg, c_dis, rest, days, soc, ir], 1)
    return X.astype(np.float32), soh.astype(np.float32)


X, y = simulate_cells(6000)
X_tr, y_tr = X[:4500], y[:4500]
X_te, y_te = X[4500:], y[4500:]
mu, sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()
X_tr = torch.from_numpy((X_tr - mu) / sd)
X_te = torch.from_numpy((X_te - mu) / sd)
t_tr = torch.from_numpy((y_tr - y_mu) / y_sd).unsqueeze(1)
t_te = torch.from_numpy((y_te - y_mu) / y_sd).unsqueeze(1)

model = nn.Sequential(
    nn.Linear(len(FEATURES), 64), nn.Tanh(),
    nn.Linear(64, 64), nn.Tanh(),
    nn.Linear(64, 1),
)
loss_fn = nn.MSELoss()

BATCH_SIZE = 64
BASE_LR = 0.025         # tuned at batch 32
EPOCHS = 40
lr = BASE_LR * BATCH_SIZE

n = len(X_tr)
for epoch in range(EPOCHS):
    perm = torch.randperm(n)
    total = 0.0
    for i in range(0, n, BATCH_SIZE):
        idx = perm[i:i + BATCH_SIZE]
        pred = model(X_tr[idx])
        loss = loss_fn(pred, t_tr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        total += loss.item() * len(idx)
    if epoch % 5 == 4 or epoch == EPOCHS - 1:
        with torch.no_grad():
            te_loss = loss_fn(model(X_te), t_te).item()
        print(f"epoch {epoch + 1:3d}  train_mse {total / n:.4f}  test_mse {te_loss:.4f}")

with torch.no_grad():
    pred = model(X_te).squeeze(1).numpy() * y_sd + y_mu
rmse = math.sqrt(float(np.mean((pred - y_te) ** 2)))
r2 = 1 - np.mean((pred - y_te) ** 2) / np.var(y_te)
print(f"test RMSE {rmse:.3f} %SoH   R2 {r2:.4f}")
