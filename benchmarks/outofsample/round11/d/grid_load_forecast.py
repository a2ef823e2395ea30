"""Next-hour electricity load forecast for a regional grid operator.

MLP on the last 24 h of load plus the temperature forecast and calendar features.
Chronological split; early stopping on validation MSE; the best model is kept on disk.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)
rng = np.random.default_rng(42)

HOURS = 24 * 365
t = np.arange(HOURS)
hour, dow, doy = t % 24, (t // 24) % 7, (t // 24) % 365
temp = 10 - 12 * np.cos(2 * np.pi * (doy - 15) / 365) + 4 * np.sin(2 * np.pi * (hour - 9) / 24)
temp = temp + np.convolve(rng.normal(0, 1.2, HOURS), np.ones(12) / 12 ** 0.5, mode="same")
daily = 1 + 0.25 * np.exp(-((hour - 8.5) ** 2) / 6) + 0.35 * np.exp(-((hour - 19) ** 2) / 8) - 0.3 * (hour < 6)
weekly = np.where(dow >= 5, 0.85, 1.0)
weather = 0.012 * np.clip(16 - temp, 0, None) ** 1.5 + 0.02 * np.clip(temp - 22, 0, None) ** 1.6
ar = np.zeros(HOURS)
eps = rng.normal(0, 0.03, HOURS)
for i in range(1, HOURS):
    ar[i] = 0.9 * ar[i - 1] + eps[i]
load = 900 * (daily * weekly + weather + ar) + rng.normal(0, 8, HOURS)   # MW

LAGS = 24
rows = np.arange(LAGS, HOURS - 1)
lag_block = np.stack([load[rows - k] for k in range(LAGS)], 1)
calendar = np.column_stack([np.sin(2 * np.pi * hour[rows + 1] / 24), np.cos(2 * np.pi * hour[rows + 1] / 24),
                            np.eye(7)[dow[rows + 1]]])
X_raw = np.column_stack([lag_block, temp[rows + 1], calendar]).astype(np.float32)
y_raw = load[rows + 1].astype(np.float32)

n = len(rows)
i_tr, i_va = int(0.7 * n), int(0.85 * n)
cont = slice(0, LAGS + 1)
mu, sd = X_raw[:i_tr, cont].mean(0), X_raw[:i_tr, cont].std(0)
X = X_raw.copy()
X[:, cont] = (X[:, cont] - mu) / sd
y_mu, y_sd = y_raw[:i_tr].mean(), y_raw[:i_tr].std()
y = (y_raw - y_mu) / y_sd

def tensors(a, b):
    return TensorDataset(torch.from_numpy(a[b]), torch.from_numpy(y[b]).unsqueeze(1))

train_dl = DataLoader(tensors(X, slice(0, i_tr)), batch_size=64, shuffle=True)
val_dl = DataLoader(tensors(X, slice(i_tr, i_va)), batch_size=256)
test_dl = DataLoader(tensors(X, slice(i_va, n)), batch_size=256)

model = nn.Sequential(nn.Linear(X.shape[1], 128), nn.GELU(), nn.Linear(128, 64), nn.GELU(), nn.Linear(64, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


@torch.no_grad()
def evaluate(loader):
    model.eval()
    total = 0.0
    for xb, yb in loader:
        total += F.mse_loss(model(xb), yb).item()
    return total / len(loader.dataset)


ckpt = os.path.join(tempfile.mkdtemp(), "best_load_model.pt")
best, bad_epochs, patience, min_delta = float("inf"), 0, 4, 1e-3
for epoch in range(1, 61):
    model.train()
    running = 0.0
    for xb, yb in train_dl:
        optimizer.zero_grad()
        loss = F.mse_loss(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(xb)
    val_mse = evaluate(val_dl)
    print(f"epoch {epoch:2d}  train_mse {running / len(train_dl.dataset):.5f}  val_mse {val_mse:.5f}")
    if val_mse < best - min_delta:
        best, bad_epochs = val_mse, 0
        torch.save(model, ckpt)
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print(f"early stop at epoch {epoch}")
            break

model = torch.load(ckpt, weights_only=False)
model.eval()
with torch.no_grad():
    preds = torch.cat([model(xb) for xb, _ in test_dl]).squeeze(1).numpy() * y_sd + y_mu
truth = y_raw[i_va:n]
mape = float(np.mean(np.abs(preds - truth) / truth)) * 100
rmse = float(np.sqrt(np.mean((preds - truth) ** 2)))
print(f"test RMSE {rmse:.1f} MW  MAPE {mape:.2f}%")
