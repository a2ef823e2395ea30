"""Forecast a wind turbine's power 1 h ahead from the last 48 readings of wind speed,
direction and power. Sensor spikes make the targets heavy-tailed, so the model is trained
with a Huber loss; linear warm-up then cosine decay per step, gradient-norm clipping,
and an EMA copy of the weights that is evaluated and saved."""
import copy
import math
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(2)
rng = np.random.default_rng(2)
LAGS = 48


def power_curve(v):
    return np.clip((v - 3.0) / 9.0, 0, 1) ** 3 * (v < 25)


def simulate(hours):
    v = np.empty(hours); v[0] = 8.0
    for t in range(1, hours):                       # mean-reverting wind speed
        v[t] = max(0.0, v[t - 1] + 0.08 * (8.5 - v[t - 1]) + rng.normal(0, 0.6))
    v += 3.0 * np.sin(2 * np.pi * np.arange(hours) / 24)
    v = np.clip(v, 0, None)
    d = np.cumsum(rng.normal(0, 0.15, hours))
    p = power_curve(v) * (0.9 + 0.1 * np.cos(d))
    p_obs = p + rng.standard_t(2.5, hours) * 0.03   # heavy-tailed metering noise
    return np.stack([v, np.sin(d), np.cos(d), p_obs], 1), p_obs


feats, power = simulate(10000)
X = np.stack([feats[t - LAGS:t] for t in range(LAGS, len(feats) - 1)])
y = power[LAGS + 1:]
split = int(0.8 * len(X))                          # split in time: train on the past
mu, sd = X[:split].reshape(-1, 4).mean(0), X[:split].reshape(-1, 4).std(0)
X = (X - mu) / sd
t = lambda a: torch.tensor(a, dtype=torch.float32)
train_dl = DataLoader(TensorDataset(t(X[:split]), t(y[:split])), batch_size=128, shuffle=True)
val_dl = DataLoader(TensorDataset(t(X[split:]), t(y[split:])), batch_size=1024)


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(4, 32, 5, padding=2), nn.GELU(),
            nn.Conv1d(32, 32, 5, padding=4, dilation=2), nn.GELU(),
            nn.Conv1d(32, 32, 3, padding=4, dilation=4), nn.GELU())
        self.head = nn.Sequential(nn.Linear(32 * 2 + 4, 64), nn.GELU(), nn.Linear(64, 1))

    def forward(self, x):                           # x: (B, LAGS, 4)
        h = self.conv(x.transpose(1, 2))
        z = torch.cat([h.mean(-1), h[..., -1], x[:, -1]], 1)
        return self.head(z).squeeze(-1)


model = Forecaster()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)
epochs = 6
total = epochs * len(train_dl)
warm = int(0.05 * total)
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (total - warm))))
loss_fn = nn.HuberLoss(delta=0.05)


@torch.no_grad()
def ema_update(step, max_decay=0.99):
    decay = min(max_decay, (1 + step) / (10 + step))
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)


@torch.no_grad()
def mae(net):
    err = n = 0.0
    for xb, yb in val_dl:
        err += (net(xb) - yb).abs().sum().item(); n += len(yb)
    return err / n


step = 0
for epoch in range(epochs):
    model.train()
    for xb, yb in train_dl:
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        ema_update(step)
        step += 1
    model.eval()
    print(f"epoch {epoch + 1} huber {loss.item():.5f} val MAE raw {mae(model):.4f} ema {mae(ema):.4f}")

persist = float(np.mean(np.abs(y[split:] - X[split:, -1, 3] * sd[3] - mu[3])))
path = os.path.join(tempfile.mkdtemp(), "turbine_ema.pt")
torch.save(ema, path)
reloaded = torch.load(path, weights_only=False)
print(f"persistence baseline MAE {persist:.4f}")
print(f"final val MAE (EMA, reloaded) {mae(reloaded):.4f}")
