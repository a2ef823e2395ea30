"""Tread wear rate model for the endurance programme.

Predicts tread loss (mm per 100 km) from stint telemetry. Trained on the
season's stints, model selected on a validation slice, and scored on the
hold-out stints the tyre engineers kept back.
"""
import copy
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
np.random.seed(7)
torch.set_num_threads(1)

FEATURES = ["track_temp", "ambient_temp", "avg_speed", "lateral_g", "long_g",
            "cold_pressure", "camber", "shore_hardness", "fuel_load", "kerb_share"]


def stints(n, rng):
    track = rng.normal(38, 9, n)
    ambient = track - rng.gamma(4, 3, n)
    speed = rng.normal(172, 18, n)
    lat = rng.gamma(6, 0.28, n)
    lon = rng.gamma(5, 0.22, n)
    press = rng.normal(1.75, 0.09, n)
    camber = rng.normal(-3.0, 0.45, n)
    shore = rng.uniform(55, 75, n)
    fuel = rng.uniform(10, 110, n)
    kerb = rng.beta(2, 9, n)
    X = np.stack([track, ambient, speed, lat, lon, press, camber, shore, fuel, kerb], 1)
    window = 0.012 * (track - 40) ** 2 * (1 + (shore - 65) / 25)      # graining below, blistering above the window
    slip = 0.55 * lat ** 1.3 + 0.35 * lon * (fuel / 60)
    pres_term = 0.25 * (press - 1.75) ** 2 / 0.01
    camb = 0.6 * np.abs(camber + 3.1) * lat
    hard = -0.045 * (shore - 65)
    wear = 0.6 + window + slip + pres_term + camb + hard + 1.4 * kerb * speed / 170
    wear = wear + rng.normal(0, 0.7, n) * (1 + 0.3 * lat)
    return X.astype(np.float32), wear.astype(np.float32)


rng = np.random.default_rng(2024)
X, y = stints(640, rng)
X_hold, y_hold = stints(1000, np.random.default_rng(99))

n_val = len(X) // 5
idx = rng.permutation(len(X))
train_idx, val_idx = idx[n_val:], idx[:n_val]

mu, sd = X[train_idx].mean(0), X[train_idx].std(0)
y_mu, y_sd = y[train_idx].mean(), y[train_idx].std()


def tensors(Xa, ya):
    return (torch.from_numpy((Xa - mu) / sd), torch.from_numpy((ya - y_mu) / y_sd).unsqueeze(1))


train_ds = TensorDataset(*tensors(X[train_idx], y[train_idx]))
val_ds = TensorDataset(*tensors(X[val_idx], y[val_idx]))
hold_ds = TensorDataset(*tensors(X_hold, y_hold))
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=256)
hold_loader = DataLoader(hold_ds, batch_size=256)

model = nn.Sequential(
    nn.Linear(len(FEATURES), 256), nn.ReLU(),
    nn.Linear(256, 256), nn.ReLU(),
    nn.Linear(256, 1),
)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=6)
loss_fn = nn.MSELoss()


@torch.no_grad()
def evaluate(loader):
    model.eval()
    preds, targets = [], []
    for xb, yb in loader:
        preds.append(model(xb))
        targets.append(yb)
    p, t = torch.cat(preds), torch.cat(targets)
    mse = ((p - t) ** 2).mean().item()
    r2 = 1 - ((p - t) ** 2).sum().item() / ((t - t.mean()) ** 2).sum().item()
    return mse, r2


best_loss, best_state, bad_epochs, patience = math.inf, None, 0, 20
for epoch in range(1, 251):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(xb)
    val_mse, val_r2 = evaluate(val_loader)
    scheduler.step(val_mse)
    if epoch % 25 == 0:
        print(f"epoch {epoch:3d}  train_mse {running / len(train_ds):.4f}  val_mse {val_mse:.4f}  val_r2 {val_r2:.3f}")
    if val_mse < best_loss - 1e-4:
        best_loss, best_state, bad_epochs = val_mse, copy.deepcopy(model.state_dict()), 0
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print(f"early stop at epoch {epoch}")
            break

model.load_state_dict(best_state)
val_mse, val_r2 = evaluate(val_loader)
hold_mse, hold_r2 = evaluate(hold_loader)
print(f"selected model: val_r2 {val_r2:.3f}  holdout_mse {hold_mse:.4f}  holdout_r2 {hold_r2:.3f}")
