"""Regional avalanche danger level (1-5) from daily snowpack / weather observations.

Small MLP trained with a hand-rolled SGD update (the forecasting team's scripts predate
torch.optim in their codebase and kept the explicit update).
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(7)
np.random.seed(7)
rng = np.random.default_rng(7)

N = 4000
new_snow_24 = rng.gamma(1.2, 9.0, N)                       # cm
new_snow_72 = new_snow_24 + rng.gamma(1.5, 12.0, N)       # cm
wind_speed = rng.weibull(2.0, N) * 25.0                    # km/h
wind_dir = rng.uniform(0, 2 * math.pi, N)
aspect = rng.uniform(0, 2 * math.pi, N)
elevation = rng.normal(2300, 350, N)                       # m
air_temp = rng.normal(-6, 5, N)                            # deg C
temp_trend_24 = rng.normal(0, 3, N)                        # deg C / day
weak_layer_depth = rng.uniform(10, 150, N)                 # cm
ect_taps = rng.integers(5, 31, N).astype(float)            # extended column test
rain_on_snow = (rng.random(N) < 0.06).astype(float)
surface_hoar = (rng.random(N) < 0.15).astype(float)

# lee-slope loading: wind blowing onto the opposite aspect
loading = np.clip(np.cos(wind_dir - aspect + math.pi), 0, None) * wind_speed / 25.0
risk = (
    0.045 * new_snow_72
    + 0.9 * loading * (new_snow_24 > 5)
    + 0.25 * np.clip(temp_trend_24, 0, None)
    + 1.6 * rain_on_snow
    + 0.7 * surface_hoar * (weak_layer_depth < 80)
    - 0.06 * (ect_taps - 18)
    + 0.0012 * (elevation - 2300)
    - 0.008 * (weak_layer_depth - 80)
    + rng.normal(0, 0.45, N)
)
cuts = np.quantile(risk, [0.30, 0.62, 0.85, 0.96])
danger = np.digitize(risk, cuts)                           # 0..4  <->  level 1..5

X = np.column_stack([
    new_snow_24, new_snow_72, wind_speed, np.sin(wind_dir), np.cos(wind_dir),
    np.sin(aspect), np.cos(aspect), elevation, air_temp, temp_trend_24,
    weak_layer_depth, ect_taps, rain_on_snow, surface_hoar,
]).astype(np.float32)
y = danger.astype(np.int64)

perm = rng.permutation(N)
tr, va = perm[:3200], perm[3200:]
mu, sd = X[tr].mean(0), X[tr].std(0)
X = (X - mu) / sd

Xtr, ytr = torch.from_numpy(X[tr]), torch.from_numpy(y[tr])
Xva, yva = torch.from_numpy(X[va]), torch.from_numpy(y[va])

model = nn.Sequential(
    nn.Linear(X.shape[1], 64), nn.ReLU(),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 5),
)

lr = 0.05
batch_size = 64
epochs = 40

for epoch in range(epochs):
    model.train()
    order = torch.randperm(len(Xtr))
    running = 0.0
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        logits = model(Xtr[idx])
        loss = F.cross_entropy(logits, ytr[idx])
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(idx)

    model.eval()
    with torch.no_grad():
        out = model(Xva)
        val_loss = F.cross_entropy(out, yva).item()
        val_acc = (out.argmax(1) == yva).float().mean().item()
        within_one = ((out.argmax(1) - yva).abs() <= 1).float().mean().item()
    if epoch % 8 == 0 or epoch == epochs - 1:
        print(f"epoch {epoch:2d}  train_loss {running / len(Xtr):.4f}  val_loss {val_loss:.4f}  "
              f"val_acc {val_acc:.3f}  within_one {within_one:.3f}")

print(f"FINAL val_acc {val_acc:.4f} val_loss {val_loss:.4f}")
