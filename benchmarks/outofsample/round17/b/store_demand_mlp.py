"""Daily unit sales per store x product family, predicted from price, promotion,
calendar and weather features (synthetic retail panel). MLP on log1p(units)."""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
np.random.seed(3)

N_STORES, N_FAMILIES, N_DAYS = 30, 12, 60


def build_panel():
    rng = np.random.default_rng(3)
    store_size = rng.lognormal(0, 0.4, N_STORES)
    fam_base = rng.normal(3.4, 0.6, N_FAMILIES)
    fam_elast = rng.uniform(0.8, 2.5, N_FAMILIES)
    fam_promo = rng.uniform(0.1, 0.9, N_FAMILIES)
    temp_day = 15 + 10 * np.sin(np.arange(N_DAYS) / 9.0) + rng.normal(0, 2, N_DAYS)
    rows, target = [], []
    for s in range(N_STORES):
        for f in range(N_FAMILIES):
            for d in range(N_DAYS):
                dow = d % 7
                price_idx = rng.uniform(0.7, 1.3)
                promo = float(rng.random() < 0.2)
                holiday = float(rng.random() < 0.04)
                temp = temp_day[d] + rng.normal(0, 1.5)
                mu = (fam_base[f] + np.log(store_size[s]) - fam_elast[f] * np.log(price_idx)
                      + fam_promo[f] * promo + 0.25 * (dow >= 5) + 0.4 * holiday
                      + 0.02 * (temp - 15) * (f % 3 - 1) + 0.15 * np.sin(2 * np.pi * dow / 7))
                units = rng.poisson(np.exp(mu))
                fam_oh = np.eye(N_FAMILIES)[f]
                dow_oh = np.eye(7)[dow]
                rows.append(np.concatenate([[np.log(store_size[s]), np.log(price_idx), promo, holiday,
                                             (temp - 15) / 8], fam_oh, dow_oh]))
                target.append(np.log1p(units))
    return np.array(rows, dtype=np.float32), np.array(target, dtype=np.float32), rng


X, y, rng = build_panel()
day = np.tile(np.arange(N_DAYS), N_STORES * N_FAMILIES)
train_idx, val_idx = np.where(day < 48)[0], np.where(day >= 48)[0]   # last 12 days held out
y_mu, y_sd = y[train_idx].mean(), y[train_idx].std()
yz = (y - y_mu) / y_sd

train_ds = TensorDataset(torch.from_numpy(X[train_idx]), torch.from_numpy(yz[train_idx]))
val_ds = TensorDataset(torch.from_numpy(X[val_idx]), torch.from_numpy(yz[val_idx]))
train_loader = DataLoader(train_ds, batch_size=128, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=512)

model = nn.Sequential(
    nn.Linear(X.shape[1], 128), nn.ReLU(),
    nn.Linear(128, 128), nn.ReLU(),
    nn.Linear(128, 1),
)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-1)
loss_fn = nn.MSELoss()


def evaluate():
    model.eval()
    sse, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            pred = model(xb).squeeze(1)
            sse += nn.functional.mse_loss(pred, yb, reduction="sum").item()
            n += len(yb)
    mse = sse / n
    r2 = 1 - mse / yz[val_idx].var()
    return mse, r2


for epoch in range(1, 13):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(yb)
    val_mse, val_r2 = evaluate()
    print(f"epoch {epoch:2d} train_mse {running / len(train_ds):.4f} val_mse {val_mse:.4f} val_r2 {val_r2:.4f}")

rmse_log = math.sqrt(val_mse) * y_sd
print(f"final val_r2 {val_r2:.4f} val_rmse_log1p {rmse_log:.4f}")
