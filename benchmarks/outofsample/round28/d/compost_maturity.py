"""Windrow compost: predict days-to-maturity from the first 10 days of probe readings.

Each windrow carries a probe that logs core temperature, O2 and moisture every hour; after
10 days (240 steps) we forecast how many more days the pile needs before it is stable.
Targets are right-skewed (a few piles stall for weeks), so we train on log-days with a
Huber loss, a GRU encoder, warm-up + cosine LR, gradient clipping and an EMA of the
weights that is saved and reloaded for the final evaluation.
"""
import copy
import math
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)
STEPS = 240


def windrow(rng):
    t = np.arange(STEPS) / 24.0
    peak = rng.uniform(55, 72)
    rise = rng.uniform(0.8, 2.5)
    decay = rng.uniform(0.05, 0.25)
    turn_days = rng.choice([3, 4, 5, 7])
    moisture0 = rng.uniform(40, 70)
    temp = 15 + (peak - 15) * (1 - np.exp(-t / rise)) * np.exp(-decay * np.maximum(t - 2 * rise, 0))
    dips = (t % turn_days < 0.15) & (t > 1)
    temp = temp - 8 * dips + rng.normal(0, 0.8, STEPS)
    o2 = np.clip(20 - 0.18 * (temp - 15) + 6 * dips + rng.normal(0, 0.7, STEPS), 1, 21)
    moisture = moisture0 - 0.9 * t + rng.normal(0, 1.0, STEPS)
    stall = abs(moisture0 - 55) > 12
    days = 12 + 60 * decay ** 0.7 * 3 + 0.25 * (peak - 60) ** 2 / 10 + 25 * stall
    days = days * rng.lognormal(0, 0.15)
    return np.stack([temp, o2, moisture], 1), days


data = [windrow(rng) for _ in range(900)]
X = np.stack([d[0] for d in data]).astype(np.float32)
days = np.array([d[1] for d in data], dtype=np.float32)
y = np.log(days)

tr, va = np.arange(720), np.arange(720, 900)
mu, sd = X[tr].reshape(-1, 3).mean(0), X[tr].reshape(-1, 3).std(0)
X = (X - mu) / sd
y_mu, y_sd = y[tr].mean(), y[tr].std()
yz = ((y - y_mu) / y_sd).astype(np.float32)

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(yz[tr])),
                          batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(yz[va])), batch_size=90)


class PileGRU(nn.Module):
    def __init__(self, n_in=3, hidden=48):
        super().__init__()
        self.pool = nn.AvgPool1d(4)              # hourly -> 4-hourly
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        x = self.pool(x.transpose(1, 2)).transpose(1, 2)
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)


model = PileGRU()
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)

epochs = 25
total = epochs * len(train_loader)
warmup = 2 * len(train_loader)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer,
    lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))),
)
criterion = nn.HuberLoss(delta=1.0)


@torch.no_grad()
def update_ema(decay=0.98):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)


@torch.no_grad()
def evaluate(net):
    net.eval()
    se, n = 0.0, 0
    for xb, yb in val_loader:
        se += ((net(xb) - yb) ** 2).sum().item()
        n += len(yb)
    return se / n


for epoch in range(epochs):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        update_ema()
        running += loss.item()
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d}  train_huber {running / len(train_loader):.4f}  "
              f"val_mse {evaluate(model):.4f}  ema_val_mse {evaluate(ema):.4f}")

path = os.path.join(tempfile.mkdtemp(), "compost_ema.pt")
torch.save(ema, path)
best = torch.load(path, weights_only=False)
best.eval()
with torch.no_grad():
    pred = best(torch.from_numpy(X[va])).numpy() * y_sd + y_mu
mae_days = np.abs(np.exp(pred) - days[va]).mean()
mse_z = evaluate(best)
print(f"final EMA val R2(log-days) {1 - mse_z / yz[va].var():.3f}  MAE {mae_days:.2f} days "
      f"(constant-median MAE {np.abs(np.median(days[tr]) - days[va]).mean():.2f})")
