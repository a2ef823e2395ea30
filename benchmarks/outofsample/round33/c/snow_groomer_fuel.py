"""Ski-area snow groomers: litres of diesel burned per night shift.

Inputs per shift: hours on the clock, km groomed, vertical metres climbed, share of the
shift on the winch, new snow (cm), snow temperature, air temperature, wind, machine age,
and which of the four machine models ran it.  Fuel per shift is heavy-tailed (winch
nights on the steep runs after a storm burn several times a normal night), so the
target is robust-scaled (median / IQR) and fitted with a Huber loss; AdamW with a short
linear warm-up then cosine decay (stepped per batch), routine gradient clipping, and an
exponential moving average of the weights kept as a deepcopy, which is what we ship.
"""
import copy
import math
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(17)
rng = np.random.default_rng(17)
MODELS = ["PB600", "PB400", "Leitwolf", "Husky"]


def shifts(n):
    machine = rng.integers(0, 4, n)
    hours = rng.uniform(4, 10, n)
    km = hours * rng.uniform(3, 7, n)
    climb = km * rng.gamma(3, 40, n)
    winch = np.clip(rng.beta(0.6, 2.5, n), 0, 1)
    new_snow = rng.exponential(6, n) * (rng.random(n) < 0.45)
    snow_t = rng.normal(-6, 4, n)
    air_t = snow_t + rng.normal(0, 3, n)
    wind = rng.gamma(2, 8, n)
    age = rng.uniform(0, 12, n)
    rate = np.array([24.0, 19.0, 22.0, 14.0])[machine]             # l/h on the flat
    fuel = hours * rate * (1 + 1.8 * winch ** 1.5) * (1 + 0.012 * new_snow) ** 2
    fuel *= 1 + 0.0009 * climb / km + 0.01 * age + 0.004 * np.maximum(0, -air_t - 10)
    fuel *= np.exp(rng.standard_t(3, n) * 0.08)                    # heavy-tailed night-to-night noise
    cont = np.stack([hours, km, climb, winch, new_snow, snow_t, air_t, wind, age], 1)
    return cont, np.eye(4)[machine], fuel


cont, onehot, fuel = shifts(4000)
n_tr, n_va = 3200, 800
cont[:, [2, 4, 7]] = np.log1p(cont[:, [2, 4, 7]])
cont = (cont - cont[:n_tr].mean(0)) / cont[:n_tr].std(0)
X = torch.tensor(np.concatenate([cont, onehot], 1), dtype=torch.float32)
med = np.median(fuel[:n_tr])
iqr = np.subtract(*np.percentile(fuel[:n_tr], [75, 25]))
Y = torch.tensor((fuel - med) / iqr, dtype=torch.float32)[:, None]
print(f"fuel per shift: median {med:.0f} l, IQR {iqr:.0f} l, max {fuel.max():.0f} l")

train_loader = DataLoader(TensorDataset(X[:n_tr], Y[:n_tr]), batch_size=64, shuffle=True)
val_X, val_Y = X[n_tr:], Y[n_tr:]

model = nn.Sequential(
    nn.Linear(X.shape[1], 128), nn.SiLU(),
    nn.Linear(128, 128), nn.SiLU(),
    nn.Linear(128, 1),
)
ema = copy.deepcopy(model).requires_grad_(False)
ema_decay = 0.99
criterion = nn.HuberLoss(delta=1.0)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
epochs = 25
total_steps = epochs * len(train_loader)
warmup = 100


def lr_lambda(step):
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total_steps - warmup)
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress))


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)

for epoch in range(epochs):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(ema_decay).add_(pm, alpha=1 - ema_decay)
    ema.eval()
    with torch.no_grad():
        pred = ema(val_X)
        val_loss = criterion(pred, val_Y).item()
        mae_l = ((pred - val_Y).abs() * iqr).mean().item()
    if epoch % 5 == 4 or epoch == 0:
        print(f"epoch {epoch + 1:2d}  train_huber {loss.item():.4f}  val_huber {val_loss:.4f}  val_mae {mae_l:.2f} l")

path = os.path.join(tempfile.mkdtemp(prefix="groomer_"), "fuel_ema.pt")
torch.save(ema, path)
shipped = torch.load(path, weights_only=False)
with torch.no_grad():
    pred_l = shipped(val_X).squeeze(1).numpy() * iqr + med
true_l = fuel[n_tr:]
mae = np.abs(pred_l - true_l).mean()
base = np.abs(np.median(fuel[:n_tr]) - true_l).mean()
print(f"final val_mae {mae:.2f} l  (median-predictor {base:.2f} l)  val_mape {np.mean(np.abs(pred_l / true_l - 1)):.4f}")
