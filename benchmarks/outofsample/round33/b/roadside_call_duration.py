"""Roadside-assistance call-outs: predict on-scene minutes for dispatch planning.

Durations are heavy-tailed (most jobs are a jump-start or a tyre, a few are winch-outs
that take hours), so the target is robust-scaled and fitted with a Huber loss.
Plain tensors, hand-written momentum SGD with a cosine schedule.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(11)
rng = np.random.default_rng(11)

N = 4000
JOBS = ["battery", "tyre", "lockout", "fuel", "tow", "winch"]
VEHICLES = ["car", "van", "motorhome", "motorbike"]
job = rng.choice(len(JOBS), size=N, p=[0.3, 0.25, 0.12, 0.08, 0.18, 0.07])
veh = rng.choice(len(VEHICLES), size=N, p=[0.65, 0.2, 0.1, 0.05])
dist_km = rng.gamma(2.0, 8.0, size=N)
hour = rng.integers(0, 24, size=N)
temp_c = rng.normal(9, 7, size=N)
rain_mm = rng.exponential(1.0, size=N) * (rng.random(N) < 0.4)
vehicle_age = rng.gamma(3.0, 3.0, size=N)
night = ((hour < 6) | (hour > 21)).astype(float)

base = np.array([18, 25, 15, 10, 30, 60])[job] * np.array([1.0, 1.2, 1.5, 0.8])[veh]
base *= np.where((job == 4) & (veh == 2), 2.5, 1.0)                        # towing a motorhome
minutes = (base * (1 + 0.25 * night)
           + (job == 4) * 1.5 * dist_km                                      # tows drive the car away
           + (job == 0) * 1.2 * np.clip(-temp_c, 0, None) * (1 + 0.1 * vehicle_age)  # cold batteries
           + (job == 1) * 6.0 * rain_mm)                                     # wet tyre changes
minutes *= rng.lognormal(0.0, 0.25, size=N)
minutes += (job == 5) * rng.pareto(1.8, size=N) * 30      # winch-outs: long tail

cont = np.stack([np.log1p(dist_km), np.sin(2 * math.pi * hour / 24), np.cos(2 * math.pi * hour / 24),
                 temp_c, np.log1p(rain_mm), vehicle_age], axis=1)
n_tr, n_va = 3000, 1000
c_mu, c_sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
cont = (cont - c_mu) / c_sd
onehot = np.concatenate([np.eye(len(JOBS))[job], np.eye(len(VEHICLES))[veh]], axis=1)  # left as 0/1
X = torch.tensor(np.concatenate([cont, onehot], axis=1), dtype=torch.float32)

med = np.median(minutes[:n_tr])
iqr = np.subtract(*np.percentile(minutes[:n_tr], [75, 25]))
y = torch.tensor((minutes - med) / iqr, dtype=torch.float32)[:, None]
X_tr, y_tr, X_va, y_va = X[:n_tr], y[:n_tr], X[n_tr:], y[n_tr:]

model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
with torch.no_grad():
    model[-1].bias.fill_(float(y_tr.median()))

epochs, bs, lr_max, mom, wd = 30, 64, 0.05, 0.9, 1e-4
velocity = [torch.zeros_like(p) for p in model.parameters()]
steps_per_epoch = math.ceil(n_tr / bs)
for epoch in range(epochs):
    lr = 0.5 * lr_max * (1 + math.cos(math.pi * epoch / epochs))
    model.train()
    perm = torch.randperm(n_tr)
    running = 0.0
    for idx in perm.split(bs):
        pred = model(X_tr[idx])
        loss = F.huber_loss(pred, y_tr[idx], delta=1.0)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                g = p.grad + wd * p
                v.mul_(mom).add_(g)
                p -= lr * v
        running += loss.item()
    model.eval()
    with torch.no_grad():
        va_loss = F.huber_loss(model(X_va), y_va, delta=1.0).item()
    if epoch % 5 == 0 or epoch == epochs - 1:
        print(f"epoch {epoch:2d} lr {lr:.4f} train_huber {running / steps_per_epoch:.4f} val_huber {va_loss:.4f}")

with torch.no_grad():
    pred_min = model(X_va).squeeze(1).numpy() * iqr + med
true_min = minutes[n_tr:]
mae = np.abs(pred_min - true_min).mean()
mae_median = np.abs(med - true_min).mean()
print(f"final val_MAE_minutes={mae:.2f} (predict-the-median baseline {mae_median:.2f})")
