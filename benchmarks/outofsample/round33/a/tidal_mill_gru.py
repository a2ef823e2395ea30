"""Tidal-mill grind forecast from two days of half-hourly millpond records.

A restored tidal mill logs estuary level, millpond level and sluice-gate opening every
30 minutes. The trust wants to forecast how much grain (in 100 kg) the next ebb tide
will grind, to book school visits and buy grain. Surges make the target heavy-tailed,
so the GRU is trained with a Huber loss; updates are written by hand (momentum SGD),
gradients are clipped as routine insurance, and an EMA copy of the weights is scored.
"""
import copy
import math

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(17)
rng = np.random.default_rng(17)

T = 96                                                        # 48 h at 30 min


def mill_records(n):
    t = np.arange(T + 13) * 0.5                               # hours, plus the next ebb
    phase = rng.uniform(0, 2 * np.pi, n)[:, None]
    spring = rng.uniform(0.6, 1.4, n)[:, None]               # spring/neap amplitude
    surge = np.where(rng.random(n) < 0.12, rng.gamma(2.0, 0.5, n), 0.0)[:, None]
    sea = spring * 2.2 * np.sin(2 * np.pi * t / 12.42 + phase) + surge * np.exp(-((t - t[-1]) / 20) ** 2)
    sea += rng.normal(0, 0.05, sea.shape)
    gate = (rng.random((n, 1)) < 0.85) * np.clip(rng.normal(0.8, 0.15, (n, len(t))), 0, 1)
    pond = np.zeros_like(sea)
    pond[:, 0] = rng.uniform(0.5, 2.0, n)
    for k in range(1, len(t)):                                # pond fills on the flood
        inflow = np.maximum(sea[:, k] - pond[:, k - 1], 0) * 0.35
        outflow = gate[:, k] * np.maximum(pond[:, k - 1] - sea[:, k], 0) * 0.12
        pond[:, k] = np.clip(pond[:, k - 1] + inflow - outflow, 0, 3.5)
    head = np.maximum(pond - sea, 0)
    wheel = np.maximum(head[:, T:] - 0.4, 0) ** 1.5          # the wheel needs 0.4 m of head
    grind = 6.0 * (gate[:, T:] * wheel).sum(1) * rng.lognormal(0, 0.08, n)
    X = np.stack([sea[:, :T], pond[:, :T], gate[:, :T]], -1).astype(np.float32)
    return X, grind.astype(np.float32)


X, y = mill_records(1800)
tr, va = np.arange(1500), np.arange(1500, 1800)
x_mu, x_sd = X[tr].mean((0, 1)), X[tr].std((0, 1))
X = (X - x_mu) / x_sd
y_med = np.median(y[tr])
y_iqr = np.subtract(*np.percentile(y[tr], [75, 25]))
Y = ((y - y_med) / y_iqr).astype(np.float32)
print(f"target (100 kg): median {y_med:.2f}  p99 {np.percentile(y, 99):.2f}  max {y.max():.2f}")


class GrindForecaster(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.gru = nn.GRU(3, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1]).squeeze(-1)


model = GrindForecaster()
ema = copy.deepcopy(model)
loss_fn = nn.HuberLoss(delta=1.0)
Xt, Yt = torch.tensor(X), torch.tensor(Y)
lr, mom, decay, bs, epochs = 0.3, 0.9, 0.99, 32, 16
velocity = [torch.zeros_like(p) for p in model.parameters()]


def evaluate(net):
    net.eval()
    abs_err, sq_err = 0.0, 0.0
    with torch.no_grad():
        for i in range(0, len(va), 100):
            idx = va[i:i + 100]
            pred = net(Xt[idx]) * y_iqr + y_med
            abs_err += (pred - torch.tensor(y[idx])).abs().sum().item()
            sq_err += ((pred - torch.tensor(y[idx])) ** 2).sum().item()
    mae = abs_err / len(va)
    r2 = 1 - sq_err / float(((y[va] - y[va].mean()) ** 2).sum())
    return mae, r2


step = 0
for epoch in range(epochs):
    model.train()
    perm = tr[rng.permutation(len(tr))]
    epoch_loss = 0.0
    for i in range(0, len(perm), bs):
        idx = perm[i:i + bs]
        loss = loss_fn(model(Xt[idx]), Yt[idx])
        model.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        cur_lr = lr * 0.5 * (1 + math.cos(math.pi * step / (epochs * math.ceil(len(tr) / bs))))
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(mom).add_(p.grad)
                p -= cur_lr * v
            for pe, p in zip(ema.parameters(), model.parameters()):
                pe.mul_(decay).add_(p, alpha=1 - decay)
        step += 1
        epoch_loss += loss.item() * len(idx)
    if (epoch + 1) % 2 == 0:
        mae, r2 = evaluate(ema)
        print(f"epoch {epoch + 1:2d} train_huber {epoch_loss / len(tr):.4f} ema val_MAE {mae:.3f} R2 {r2:.3f}")

mae, r2 = evaluate(ema)
base_mae = np.abs(y[va] - y_med).mean()
print(f"final ema val_MAE {mae:.4f} val_R2 {r2:.4f} (median-predictor MAE {base_mae:.4f})")
