"""Daily fuel consumption (t/day) of a bulk-carrier fleet from noon reports.

Noon-report features per leg -> MLP regressor trained with MAE (the charterer's KPI),
parameters updated by hand.
"""
import math
import numpy as np
import torch
from torch import nn

torch.manual_seed(7)
rng = np.random.default_rng(7)


def noon_reports(n):
    speed = rng.uniform(9.5, 15.5, n)                       # knots through water
    draft = rng.uniform(7.0, 14.5, n)                       # m, ballast..laden
    trim = rng.normal(0.3, 0.6, n)                          # m by stern
    wind = rng.gamma(2.5, 3.0, n)                           # m/s
    rel_dir = rng.uniform(0, 2 * math.pi, n)                # wind angle to bow
    wave = np.clip(0.12 * wind + rng.gamma(1.5, 0.4, n), 0, None)
    fouling = rng.uniform(0, 720, n)                        # days since hull cleaning
    sea_temp = rng.normal(18, 6, n)
    disp = 18000 + 5200 * (draft - 7.0)                     # t displacement
    head = np.cos(rel_dir)
    base = 2.3e-3 * speed ** 3 * (disp / 40000) ** (2 / 3)
    added = 0.018 * wave ** 2 * speed * (0.6 + 0.4 * head) + 0.004 * wind ** 2 * np.clip(head, 0, None)
    hull = 1 + 0.00035 * fouling + 0.05 * np.abs(trim - 0.4)
    fuel = (base + added) * hull * (1 + 0.002 * (sea_temp - 18))
    fuel = fuel * rng.lognormal(0, 0.04, n) + 1.1             # auxiliaries
    X = np.column_stack([speed, draft, trim, wind, np.sin(rel_dir), head, wave, fouling, sea_temp])
    return X.astype(np.float32), fuel.astype(np.float32)


X, y = noon_reports(4000)
Xtr, ytr, Xva, yva = X[:3200], y[:3200], X[3200:], y[3200:]
mu, sd = Xtr.mean(0), Xtr.std(0)
ymu, ysd = ytr.mean(), ytr.std()
Xtr_t = torch.tensor((Xtr - mu) / sd)
Xva_t = torch.tensor((Xva - mu) / sd)
ytr_t = torch.tensor((ytr - ymu) / ysd).unsqueeze(1)
yva_t = torch.tensor(yva).unsqueeze(1)

model = nn.Sequential(
    nn.Linear(9, 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 1),
)
loss_fn = nn.L1Loss()
lr = 0.05
batch_size = 32
epochs = 25

for epoch in range(1, epochs + 1):
    model.train()
    perm = torch.randperm(len(Xtr_t))
    running = 0.0
    for i in range(0, len(perm), batch_size):
        idx = perm[i:i + batch_size]
        pred = model(Xtr_t[idx])
        loss = loss_fn(pred, ytr_t[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(idx)
    model.eval()
    with torch.no_grad():
        pred = model(Xva_t) * ysd + ymu
        val_mae = (pred - yva_t).abs().mean().item()
    if epoch % 5 == 0 or epoch == 1:
        print(f"epoch {epoch:2d}  train MAE (std units) {running / len(perm):.4f}  val MAE {val_mae:.3f} t/day")

print(f"final val MAE {val_mae:.3f} t/day (mean consumption {yva.mean():.2f} t/day)")
