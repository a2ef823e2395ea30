"""Pasta extrusion line: predict die pressure (bar) from the recipe and line
settings (semolina moisture, water dosing, screw speed, barrel temperatures,
vacuum, die insert wear hours, egg share). Pressure logs carry occasional
spikes from die blockages, so the fit uses a Huber loss. Warm-up + cosine LR,
an EMA copy of the weights is what gets saved and scored.
"""
import copy
import math
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
rng = np.random.default_rng(5)

n = 4000
moisture = rng.normal(14.0, 0.6, n)          # % semolina moisture
water = rng.normal(30.0, 1.5, n)             # l/h per 100 kg
screw = rng.uniform(18, 32, n)               # rpm
t_barrel1 = rng.normal(45, 2.0, n)
t_barrel2 = rng.normal(48, 2.0, n)
vacuum = rng.uniform(-0.9, -0.6, n)          # bar
wear = rng.uniform(0, 1500, n)               # die insert hours
egg = rng.choice([0.0, 0.0, 0.0, 10.0, 20.0], n)
hydration = moisture + water / 3.0
pressure = (95.0 + 2.6 * (screw - 25) - 4.5 * (hydration - 24.0) - 0.9 * (t_barrel2 - 48)
            + 0.012 * wear + 0.6 * egg - 18.0 * (vacuum + 0.75) + 0.9 * (hydration - 24.0) ** 2
            + 0.06 * (screw - 25) * (hydration - 24.0) * 3)
pressure = pressure + 3.0 * rng.standard_t(df=2.0, size=n)      # heavy-tailed line noise
X = np.column_stack([moisture, water, screw, t_barrel1, t_barrel2, vacuum, wear, egg]).astype(np.float32)
y = pressure.astype(np.float32)

idx = rng.permutation(n)
tr, va = idx[:3200], idx[3200:]
x_mu, x_sd = X[tr].mean(0), X[tr].std(0)
y_med = float(np.median(y[tr]))
y_iqr = float(np.subtract(*np.percentile(y[tr], [75, 25])))
train_ds = TensorDataset(torch.from_numpy((X[tr] - x_mu) / x_sd), torch.from_numpy(((y[tr] - y_med) / y_iqr).astype(np.float32)))
val_ds = TensorDataset(torch.from_numpy((X[va] - x_mu) / x_sd), torch.from_numpy(y[va]))
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=256)

model = nn.Sequential(nn.Linear(8, 96), nn.SiLU(), nn.Linear(96, 96), nn.SiLU(), nn.Linear(96, 1))
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)

epochs = 30
steps = epochs * len(train_loader)
warmup = 100
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (steps - warmup))))
criterion = nn.HuberLoss(delta=0.5)


@torch.no_grad()
def ema_update(decay=0.99):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)


@torch.no_grad()
def evaluate(net):
    net.eval()
    abs_err, sq_err = 0.0, 0.0
    for xb, yb in val_loader:
        pred = net(xb).squeeze(-1) * y_iqr + y_med
        abs_err += (pred - yb).abs().sum().item()
        sq_err += ((pred - yb) ** 2).sum().item()
    return abs_err / len(val_ds), math.sqrt(sq_err / len(val_ds))


for epoch in range(epochs):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb).squeeze(-1), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        ema_update()
        running += loss.item() * len(xb)
    if epoch % 5 == 4:
        mae, rmse = evaluate(ema)
        print(f"epoch {epoch + 1}: train huber {running / len(train_ds):.4f}  ema val MAE {mae:.2f} bar")

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "die_pressure_ema.pt")
    torch.save(ema, path)
    deployed = torch.load(path, weights_only=False)
mae, rmse = evaluate(deployed)
print(f"deployed EMA model: val MAE {mae:.2f} bar, RMSE {rmse:.2f} bar, target IQR {y_iqr:.1f} bar")
