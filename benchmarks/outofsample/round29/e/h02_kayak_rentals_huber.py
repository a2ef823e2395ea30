"""Kayak rental demand per lakeside station and day.

Daily rentals depend on air temperature (too cold and too hot both hurt), wind (gusty days
close the lake for beginners), rain, weekday/holiday and the station. A few days carry a
school trip or a company outing that books 20-60 boats at once: the target is heavy-tailed.
We fit a small MLP on standardised targets with a Huber loss so those bookings do not dominate
the gradient, and stop early on the validation loss, keeping the best weights.
"""
import copy

import numpy as np
import torch
from torch import nn

torch.manual_seed(11)
rng = np.random.default_rng(11)

N_STATIONS = 6
n = 3000
station = rng.integers(0, N_STATIONS, n)
doy = rng.integers(120, 280, n)                        # May..early October
weekday = rng.integers(0, 7, n)
holiday = (rng.random(n) < 0.06).astype(float)
temp = 14 + 10 * np.sin((doy - 110) / 170 * np.pi) + rng.normal(0, 3.5, n)
wind = rng.gamma(2.0, 2.2, n)                          # m/s
rain = rng.exponential(1.0, n) * (rng.random(n) < 0.3)  # mm
water_temp = 10 + 0.6 * (temp - 10) + rng.normal(0, 1.0, n)

station_size = np.array([18, 30, 12, 45, 25, 8])[station]
comfort = np.exp(-((temp - 25) / 6.5) ** 2)
windy = 1 / (1 + np.exp(2.0 * (wind - 7.5)))
weekend = ((weekday >= 5) | (holiday > 0)).astype(float)
rate = station_size * comfort * windy * np.exp(-0.5 * rain) * (1 + 0.8 * weekend) * (0.7 + 0.03 * (water_temp - 10))
rentals = rng.poisson(np.clip(rate, 0.1, None)).astype(float)
groups = rng.random(n) < 0.04
rentals[groups] += rng.integers(20, 60, groups.sum())

cont = np.stack([temp, wind, rain, water_temp, np.sin(2 * np.pi * doy / 365), np.cos(2 * np.pi * doy / 365)], 1)
onehot_station = np.eye(N_STATIONS)[station]
onehot_weekday = np.eye(7)[weekday]

idx = rng.permutation(n)
tr, va = idx[:2400], idx[2400:]
mu, sd = cont[tr].mean(0), cont[tr].std(0)
X = np.concatenate([(cont - mu) / sd, onehot_station, onehot_weekday, holiday[:, None]], 1).astype(np.float32)
y_mu, y_sd = rentals[tr].mean(), rentals[tr].std()
Y = ((rentals - y_mu) / y_sd).astype(np.float32)[:, None]

Xtr, Ytr = torch.from_numpy(X[tr]), torch.from_numpy(Y[tr])
Xva, Yva = torch.from_numpy(X[va]), torch.from_numpy(Y[va])

model = nn.Sequential(
    nn.Linear(X.shape[1], 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 1),
)
criterion = nn.HuberLoss(delta=1.0)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)

best_val, best_state, bad_epochs, patience = float("inf"), None, 0, 8
batch_size = 64
for epoch in range(120):
    model.train()
    perm = torch.randperm(len(Xtr))
    total = 0.0
    for i in range(0, len(perm), batch_size):
        b = perm[i:i + batch_size]
        optimizer.zero_grad()
        loss = criterion(model(Xtr[b]), Ytr[b])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(b)
    model.eval()
    with torch.no_grad():
        val_loss = criterion(model(Xva), Yva).item()
    if val_loss < best_val - 1e-4:
        best_val, best_state, bad_epochs = val_loss, copy.deepcopy(model.state_dict()), 0
    else:
        bad_epochs += 1
    if epoch % 5 == 0:
        print(f"epoch {epoch:3d} train_huber {total / len(Xtr):.4f} val_huber {val_loss:.4f}")
    if bad_epochs >= patience:
        print(f"early stop at epoch {epoch}, best val_huber {best_val:.4f}")
        break

model.load_state_dict(best_state)
model.eval()
with torch.no_grad():
    pred = model(Xva).squeeze(1).numpy() * y_sd + y_mu
true = rentals[va]
mae = np.abs(pred - true).mean()
base_mae = np.abs(np.median(rentals[tr]) - true).mean()
print(f"final val MAE {mae:.2f} boats/day (median baseline {base_mae:.2f})")
