"""Motor insurance claim severity: predict the cost of a claim from policy features.

Claim costs are heavy-tailed (log-normal body, Pareto large losses).  Targets are kept
on their natural scale, divided by the training median, and fitted with a Huber loss so
the few large losses do not dominate the gradient.  Continuous rating factors are
standardised with training statistics; region and vehicle class are one-hot.
An exponential moving average of the weights (deepcopy) is used for evaluation.
"""
import copy

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(11)
rng = np.random.default_rng(11)

N = 5000
REGIONS, CLASSES = 7, 4


def simulate_portfolio(n):
    driver_age = rng.uniform(18, 85, n)
    vehicle_value = np.exp(rng.normal(9.8, 0.5, n))            # ~18k currency units
    vehicle_age = rng.integers(0, 20, n).astype(float)
    annual_km = rng.gamma(4.0, 3500.0, n)
    bonus_malus = rng.integers(50, 151, n).astype(float)
    region = rng.integers(0, REGIONS, n)
    vclass = rng.integers(0, CLASSES, n)

    region_eff = np.array([0.0, 0.15, -0.1, 0.3, 0.05, -0.2, 0.4])
    class_eff = np.array([0.0, 0.25, 0.5, -0.15])
    mu = (7.2 + 0.9 * (np.log(vehicle_value) - 9.8) - 0.03 * vehicle_age
          + 0.004 * (bonus_malus - 100) + 0.6 * np.exp(-((driver_age - 20) / 8) ** 2)
          + 0.08 * np.log(annual_km / 14000) + region_eff[region] + class_eff[vclass])
    cost = np.exp(mu + rng.normal(0, 0.45, n))
    large = rng.random(n) < 0.03
    cost[large] *= 1.0 + rng.pareto(1.6, large.sum()) * 4.0

    cont = np.stack([driver_age, np.log(vehicle_value), vehicle_age, np.log(annual_km), bonus_malus], 1)
    onehot = np.concatenate([np.eye(REGIONS)[region], np.eye(CLASSES)[vclass]], 1)
    return cont, onehot, cost


cont, onehot, cost = simulate_portfolio(N)
idx = rng.permutation(N)
tr, va = idx[:4000], idx[4000:]

mean, std = cont[tr].mean(0), cont[tr].std(0)
X = np.concatenate([(cont - mean) / std, onehot], 1).astype(np.float32)
scale = np.median(cost[tr])
y = (cost / scale).astype(np.float32)

train_ds = TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr]).unsqueeze(1))
val_X, val_y = torch.from_numpy(X[va]), torch.from_numpy(y[va]).unsqueeze(1)
loader = DataLoader(train_ds, batch_size=128, shuffle=True)

model = nn.Sequential(
    nn.Linear(X.shape[1], 64), nn.SiLU(),
    nn.Linear(64, 64), nn.SiLU(),
    nn.Linear(64, 1),
)
with torch.no_grad():
    model[-1].bias.fill_(1.0)            # median of scaled targets
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)

optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=12, gamma=0.3)
criterion = nn.HuberLoss(delta=1.0)
EMA_DECAY = 0.98


@torch.no_grad()
def update_ema():
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(EMA_DECAY).add_(pm, alpha=1 - EMA_DECAY)


for epoch in range(30):
    model.train()
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        update_ema()
        total += loss.item() * len(xb)
    scheduler.step()
    if epoch % 5 == 4 or epoch == 29:
        ema.eval()
        with torch.no_grad():
            pred = ema(val_X)
            val_huber = criterion(pred, val_y).item()
            mae = (pred - val_y).abs().mean().item() * scale
        print(f"epoch {epoch + 1:2d} train_huber {total / len(train_ds):.4f} "
              f"val_huber(ema) {val_huber:.4f} val_mae {mae:.1f}")

baseline_mae = np.abs(cost[va] - np.median(cost[tr])).mean()
print(f"final val_mae {mae:.1f} (median baseline {baseline_mae:.1f}, ratio {mae / baseline_mae:.3f})")
