"""Marina harbour office: forecast tomorrow's visitor-berth requests per pontoon.

Counts model: a small network predicts the log-rate of a Poisson process from
calendar, weather forecast and pontoon features; trained on the raw counts
with PoissonNLLLoss.  No optimizer object: the update is written by hand
(plain SGD with a cosine-decayed step size), like the harbour's older
forecasting code it replaces.
"""
import math

import numpy as np
import torch
from torch import nn

torch.manual_seed(4)
rng = np.random.default_rng(4)

N_PONTOONS = 12


def make_days(n):
    doy = rng.integers(0, 365, n)
    dow = rng.integers(0, 7, n)
    pontoon = rng.integers(0, N_PONTOONS, n)
    wind = rng.gamma(2.5, 5.0, n)                          # forecast knots
    rain = rng.exponential(2.0, n)                         # forecast mm
    regatta = rng.random(n) < 0.05
    season = np.sin(2 * np.pi * (doy - 100) / 365)
    pontoon_size = np.linspace(0.4, 1.6, N_PONTOONS)[pontoon]
    log_rate = (0.6 + 1.1 * season + 0.5 * (dow >= 5) + 1.2 * regatta + np.log(pontoon_size)
                - 0.06 * np.maximum(wind - 15, 0) - 0.08 * rain)
    counts = rng.poisson(np.exp(log_rate))
    feats = np.stack([np.sin(2 * np.pi * doy / 365), np.cos(2 * np.pi * doy / 365),
                      (dow >= 5).astype(float), regatta.astype(float),
                      (wind - 12.5) / 8.0, (rain - 2.0) / 2.0], 1)
    feats = np.concatenate([feats, np.eye(N_PONTOONS)[pontoon]], 1)
    return torch.tensor(feats, dtype=torch.float32), torch.tensor(counts, dtype=torch.float32)


X_train, y_train = make_days(3000)
X_val, y_val = make_days(800)

model = nn.Sequential(nn.Linear(X_train.shape[1], 32), nn.Tanh(), nn.Linear(32, 1))
with torch.no_grad():
    model[2].bias.fill_(math.log(y_train.mean().item()))   # start at the mean rate
criterion = nn.PoissonNLLLoss(log_input=True, full=False)

epochs, batch_size, base_lr = 40, 64, 0.05
steps_per_epoch = math.ceil(len(X_train) / batch_size)
total_steps = epochs * steps_per_epoch
step = 0
for epoch in range(epochs):
    perm = torch.randperm(len(X_train))
    running = 0.0
    for i in range(0, len(X_train), batch_size):
        idx = perm[i:i + batch_size]
        log_rate = model(X_train[idx]).squeeze(-1)
        loss = criterion(log_rate, y_train[idx])
        model.zero_grad()
        loss.backward()
        lr = 0.5 * base_lr * (1 + math.cos(math.pi * step / total_steps))
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        step += 1
        running += loss.item() * len(idx)
    if (epoch + 1) % 10 == 0:
        with torch.no_grad():
            val_nll = criterion(model(X_val).squeeze(-1), y_val).item()
        print(f"epoch {epoch + 1}  train_nll {running / len(X_train):.4f}  val_nll {val_nll:.4f}")

with torch.no_grad():
    pred = model(X_val).squeeze(-1).exp()
mae = (pred - y_val).abs().mean().item()
baseline = (y_train.mean() - y_val).abs().mean().item()
dev = 2 * (y_val * torch.log(torch.clamp(y_val, min=1e-8) / pred) - (y_val - pred)).mean().item()
print(f"final: val_mae {mae:.3f} requests (mean-rate baseline {baseline:.3f})  mean Poisson deviance {dev:.3f}")
