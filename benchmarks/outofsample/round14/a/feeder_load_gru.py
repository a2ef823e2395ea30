"""Feeder load forecasting: next-hour load from the last 5 days of 15-minute readings
(480 steps, 3 channels: load, temperature, hour-of-day phase).

The meter data has heavy-tailed errors (spikes from meter resets and manual reads), so the
model is trained with a Huber loss. GRU encoder, routine gradient-norm clipping, an EMA
copy of the weights for evaluation, and the best EMA model saved whole with torch.save.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)
rng = np.random.default_rng(8)
L_IN, CH = 480, 3


def feeders(n):
    t0 = rng.uniform(0, 96 * 7, n)
    tt = t0[:, None] + np.arange(L_IN + 4)[None, :]           # 15-minute ticks
    hour = (tt % 96) / 96 * 2 * np.pi
    base = rng.uniform(0.8, 1.2, (n, 1))
    temp = 12 + 8 * np.sin(hour - 2.0) + rng.normal(0, 1.0, (n, 1)) + np.cumsum(rng.normal(0, 0.05, tt.shape), 1)
    load = base * (1 + 0.35 * np.sin(hour - 1.3) + 0.15 * np.sin(2 * hour) + 0.02 * np.maximum(temp - 18, 0))
    load += 0.03 * rng.standard_normal(tt.shape)
    X = np.stack([load[:, :L_IN], (temp[:, :L_IN] - 12) / 8, np.sin(hour[:, :L_IN])], -1)
    y = load[:, L_IN:L_IN + 4].mean(1)                         # next-hour mean load
    y = y + 0.04 * rng.standard_t(df=1.5, size=n)              # heavy-tailed meter errors
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


Xtr, ytr = feeders(1600)
Xva, yva = feeders(400)
y_mu, y_sd = ytr.mean(), ytr.std()
x_mu, x_sd = Xtr.mean((0, 1)), Xtr.std((0, 1))
norm = lambda X: (X - x_mu) / x_sd
train_loader = DataLoader(TensorDataset(norm(Xtr), ytr), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(norm(Xva), yva), batch_size=200)


class Forecaster(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(CH, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        _, h = self.gru(x[:, ::2])                              # 30-minute stride, 240 steps
        return self.head(h[-1]).squeeze(-1)


model = Forecaster()
ema = copy.deepcopy(model).requires_grad_(False)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.HuberLoss(delta=1.0)
ckpt = os.path.join(tempfile.mkdtemp(), "feeder_gru.pt")


@torch.no_grad()
def evaluate(net):
    net.eval()
    err = torch.cat([net(xb) * y_sd + y_mu - yb for xb, yb in val_loader])
    return err.abs().median().item(), err.abs().mean().item()


best = float("inf")
for epoch in range(8):
    model.train()
    tot = 0.0
    for xb, yb in train_loader:
        loss = criterion(model(xb), (yb - y_mu) / y_sd)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.lerp_(pm, 0.1)
        tot += loss.item() * len(xb)
    med, mae = evaluate(ema)
    if med < best:
        best = med
        torch.save(ema, ckpt)
    print(f"epoch {epoch + 1}  train_huber {tot / len(Xtr):.4f}  ema val_medAE {med:.4f}  val_MAE {mae:.4f}")

final = torch.load(ckpt, weights_only=False)
med, mae = evaluate(final)
naive = (norm(Xva)[:, -4:, 0].mean(1) * x_sd[0] + x_mu[0] - yva).abs().median().item()
print(f"final val_medAE {med:.4f} val_MAE {mae:.4f} (last-hour persistence medAE {naive:.4f})")
