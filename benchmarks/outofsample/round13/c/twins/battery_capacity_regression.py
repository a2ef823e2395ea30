"""Predict remaining capacity (Ah) of Li-ion cells from cycling-test summary features.

Plain PyTorch, no optimizer object: the update is written out by hand.
"""
import math
import time

import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_friedman1

SEED = 0
EPOCHS = 12
BATCH = 64
LR = 0.05

torch.manual_seed(SEED)
np.random.seed(SEED)

FEATURES = ["mean_temp_c", "max_temp_c", "c_rate_chg", "c_rate_dis", "dod_pct", "rest_min",
            "ir_mohm", "cv_time_min", "cycle_count_k", "v_end_chg", "v_end_dis", "humidity"]


def load_cycling_table(n=6000):
    # lab summary table; the capacity response is a smooth nonlinear function of a few
    # of the stress factors, plus measurement noise
    Z, cap = make_friedman1(n_samples=n, n_features=len(FEATURES), noise=0.5, random_state=3)
    lo = np.array([15, 25, 0.2, 0.2, 20, 0, 8, 5, 0.1, 4.10, 2.5, 20], dtype=np.float64)
    hi = np.array([45, 60, 3.0, 5.0, 100, 120, 40, 90, 3.0, 4.25, 3.2, 90], dtype=np.float64)
    X = lo + Z * (hi - lo)
    y = 2.9 - 0.02 * cap          # Ah
    return X.astype(np.float32), y.astype(np.float32)


X, y = load_cycling_table()
n_train = 5000
Xtr, Xva = X[:n_train], X[n_train:]
ytr, yva = y[:n_train], y[n_train:]

x_mu, x_sd = Xtr.mean(0), Xtr.std(0)
y_mu, y_sd = ytr.mean(), ytr.std()
Xtr_t = torch.from_numpy((Xtr - x_mu) / x_sd)
Xva_t = torch.from_numpy((Xva - x_mu) / x_sd)
ytr_t = torch.from_numpy((ytr - y_mu) / y_sd)
yva_t = torch.from_numpy((yva - y_mu) / y_sd)

model = nn.Sequential(
    nn.Linear(len(FEATURES), 128), nn.ReLU(),
    nn.Linear(128, 128), nn.ReLU(),
    nn.Linear(128, 64), nn.ReLU(),
    nn.Linear(64, 1),
)
criterion = nn.MSELoss()


def evaluate():
    model.eval()
    with torch.no_grad():
        pred = model(Xva_t).squeeze(1)
        mse = criterion(pred, yva_t).item()
    model.train()
    rmse_ah = math.sqrt(mse) * float(y_sd)
    r2 = 1.0 - mse / yva_t.var(unbiased=False).item()
    return rmse_ah, r2


t0 = time.time()
for epoch in range(1, EPOCHS + 1):
    perm = torch.randperm(n_train)
    running = 0.0
    for i in range(0, n_train, BATCH):
        idx = perm[i:i + BATCH]
        out = model(Xtr_t[idx]).squeeze(1)
        loss = criterion(out, ytr_t[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= LR * p.grad
        running += loss.item() * len(idx)
    rmse_ah, r2 = evaluate()
    print(f"epoch {epoch:2d}  train mse {running / n_train:.4f}  val rmse {rmse_ah * 1000:.1f} mAh  val R2 {r2:.3f}")

rmse_ah, r2 = evaluate()
print(f"final: val R2 {r2:.4f}  val RMSE {rmse_ah * 1000:.1f} mAh  ({time.time() - t0:.1f}s)")
