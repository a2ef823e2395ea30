"""Predict daily building energy use (kWh) from metered and survey features.

Survey columns have gaps (not every building answered every question); they are
imputed with the training-set median before standardising.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
rng = np.random.default_rng(7)


def make_buildings(n):
    floor_area = rng.lognormal(7.0, 0.6, n)            # m^2
    occupants = rng.poisson(floor_area / 40) + 1
    year_built = rng.integers(1950, 2022, n).astype(float)
    insulation = rng.uniform(0, 10, n)                  # survey score
    hdd = rng.normal(12, 4, n).clip(0)                  # heating degree days
    cdd = rng.normal(4, 3, n).clip(0)
    glazing = rng.uniform(0.1, 0.6, n)                  # survey: window share
    hvac_age = rng.uniform(0, 30, n)                    # survey
    energy = (0.04 * floor_area * (1 + 0.05 * hdd + 0.07 * cdd)
              * (1.4 - 0.06 * insulation) * (1 + 0.5 * glazing)
              + 0.8 * occupants + 0.015 * hvac_age * floor_area / 100
              - 0.004 * (year_built - 1950) * floor_area / 100)
    energy = energy * rng.lognormal(0, 0.08, n)
    X = np.stack([floor_area, occupants, year_built, insulation, hdd, cdd,
                  glazing, hvac_age], 1)
    # survey answers missing at random
    for col, rate in [(3, 0.12), (6, 0.08), (7, 0.15)]:
        X[rng.random(n) < rate, col] = np.nan
    return X, energy


X, y = make_buildings(5000)
idx = rng.permutation(len(X))
tr, va = idx[:4000], idx[4000:]
Xtr, Xva, ytr, yva = X[tr], X[va], y[tr], y[va]

fill = np.nanmedian(Xtr, axis=0)
Xtr = np.where(np.isnan(Xtr), fill, Xtr)
Xva = np.where(np.isnan(Xva), fill, Xva)
Xtr[:, 0] = np.log(Xtr[:, 0]); Xva[:, 0] = np.log(Xva[:, 0])
mu, sd = Xtr.mean(0), Xtr.std(0)
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
y_mu, y_sd = ytr.mean(), ytr.std()

to_t = lambda a: torch.tensor(a, dtype=torch.float32)
train_dl = DataLoader(TensorDataset(to_t(Xtr), to_t((ytr - y_mu) / y_sd)[:, None]),
                      batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(to_t(Xva), to_t((yva - y_mu) / y_sd)[:, None]),
                    batch_size=500)

model = nn.Sequential(nn.Linear(8, 128), nn.SiLU(), nn.Linear(128, 128), nn.SiLU(),
                      nn.Linear(128, 1))
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=8, gamma=0.3)
loss_fn = nn.MSELoss()
sse = nn.MSELoss(reduction="sum")

for epoch in range(20):
    model.train()
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
    sched.step()
    model.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_dl:
            total += sse(model(xb), yb).item()
            n += len(yb)
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d}  train mse {loss.item():.4f}  val mse {total / n:.4f}")

with torch.no_grad():
    pred = model(to_t(Xva)).squeeze(1).numpy() * y_sd + y_mu
rmse = float(np.sqrt(np.mean((pred - yva) ** 2)))
r2 = 1 - np.mean((pred - yva) ** 2) / np.var(yva)
print(f"final val RMSE {rmse:.2f} kWh  R2 {r2:.4f}")
