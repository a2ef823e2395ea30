"""Fell-race finishing times: predict a runner's time on a fell race from the route,
the conditions and the runner's form. Plain PyTorch loop, best checkpoint saved whole."""
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(2024)
np.random.seed(2024)
torch.set_num_threads(1)

TERRAIN = ["trod", "bog", "scree", "crag", "heather"]


def race_results(n=4000):
    rng = np.random.default_rng(2024)
    dist = rng.gamma(3, 4.0, n) + 3                   # km
    ascent = dist * rng.uniform(25, 90, n)            # m of climb
    descent = ascent * rng.uniform(0.8, 1.2, n)
    terrain = rng.integers(0, len(TERRAIN), n)
    nav = rng.random(n) < 0.35                        # unflagged route, navigation required
    age = rng.integers(18, 72, n).astype(float)
    road_pace = rng.normal(4.6, 0.6, n)               # runner's 10k road pace, min/km
    wind = rng.gamma(2, 8, n)                         # km/h on the tops
    visibility = rng.uniform(0.05, 1.0, n)            # 1 = clear
    terrain_cost = np.array([1.0, 1.35, 1.25, 1.45, 1.2])[terrain]
    flat_min = dist * road_pace * terrain_cost
    climb_min = ascent / 1000 * 60 * (road_pace / 4.6) ** 1.2
    descent_min = descent / 1000 * 12 * np.where(terrain >= 2, 1.6, 1.0)
    t = flat_min + climb_min + descent_min
    t *= 1 + 0.004 * np.maximum(age - 40, 0) + 0.003 * wind
    t *= np.where(nav, 1 + 0.25 * (1 - visibility), 1.0)
    t *= rng.lognormal(0, 0.05, n)
    cont = np.stack([np.log(dist), ascent / dist, descent / dist, nav, age, road_pace, wind, visibility], 1)
    onehot = np.eye(len(TERRAIN))[terrain]
    return cont.astype(np.float32), onehot.astype(np.float32), np.log(t).astype(np.float32)


cont, onehot, y = race_results()
idx = np.random.permutation(len(y))
tr, va = idx[:3200], idx[3200:]
mu, sd = cont[tr].mean(0), cont[tr].std(0)
X = np.concatenate([(cont - mu) / sd, onehot], 1)
y_mu, y_sd = y[tr].mean(), y[tr].std()
Y = (y - y_mu) / y_sd
X_tr, Y_tr = torch.from_numpy(X[tr]), torch.from_numpy(Y[tr])
X_va, Y_va = torch.from_numpy(X[va]), torch.from_numpy(Y[va])

train_loader = DataLoader(TensorDataset(X_tr, Y_tr), batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(X_va, Y_va), batch_size=400)

model = nn.Sequential(
    nn.Linear(X.shape[1], 96), nn.SiLU(),
    nn.Linear(96, 96), nn.SiLU(),
    nn.Linear(96, 1),
)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9, nesterov=True)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=8, gamma=0.3)


def evaluate(loader):
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            total += criterion(model(xb).squeeze(1), yb).item() * len(yb)
            count += len(yb)
    return total / count


ckpt_dir = tempfile.mkdtemp(prefix="fell_")
ckpt = os.path.join(ckpt_dir, "best.pt")
best = float("inf")
for epoch in range(1, 25):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(yb)
    scheduler.step()
    val_mse = evaluate(val_loader)
    if epoch % 4 == 0:
        print(f"epoch {epoch:2d}  train_mse {running / len(X_tr):.4f}  val_mse {val_mse:.4f}  lr {scheduler.get_last_lr()[0]:.4g}")
    if val_mse < best:
        best = val_mse
        torch.save(model, ckpt)

if os.path.exists(ckpt):
    model = torch.load(ckpt, weights_only=False)
model.eval()
with torch.no_grad():
    pred = model(X_va).squeeze(1) * y_sd + y_mu
minutes_pred, minutes_true = torch.exp(pred), torch.exp(torch.from_numpy(y[va]))
mape = ((minutes_pred - minutes_true).abs() / minutes_true).mean().item()
r2 = 1 - evaluate(val_loader) / Y_va.var(unbiased=False).item()
print(f"final val R2 {r2:.4f}  MAPE {100 * mape:.2f}%")
