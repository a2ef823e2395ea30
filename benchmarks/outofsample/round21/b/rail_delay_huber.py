"""Arrival delay of freight trains at the yard (minutes), hand-rolled training loop.

Delays are heavy-tailed: most trains arrive within half an hour of plan, a few
sit behind a failed loco or a possession for hours. We regress delay in hours
with a Huber loss so the few very late trains do not dominate the fit, and
report MAE in minutes. Plain tensors and a hand-written update (this code is
ported to the yard's embedded scheduler, which has no torch.optim).
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(42)
torch.set_num_threads(1)


def consists(n, rng):
    dist = rng.uniform(80, 900, n)                        # km
    wagons = rng.integers(12, 70, n).astype(float)
    tonnage = wagons * rng.uniform(45, 95, n)             # gross tonnes
    single_track = rng.beta(2, 3, n)                      # share of route on single track
    crossings = rng.poisson(dist / 120)                   # scheduled crossing stops
    hour = rng.uniform(0, 24, n)
    weekend = (rng.random(n) < 2 / 7).astype(float)
    congestion = np.exp(-((hour - 8) / 2.0) ** 2) + 0.8 * np.exp(-((hour - 17.5) / 2.5) ** 2)
    congestion = congestion * (1 - 0.7 * weekend)
    mu = (0.12 + 0.00035 * dist + 0.5 * single_track ** 2 * crossings / 2 * (tonnage > 3000)
          + 0.00003 * tonnage + 0.9 * congestion)
    delay_h = rng.gamma(8.0, mu / 8.0)
    incident = rng.random(n) < 0.04 + 0.05 * single_track
    delay_h = delay_h + incident * rng.pareto(1.6, n) * 1.5  # long stands: loco failure, possessions
    X = np.column_stack([dist / 1000, np.log(wagons), tonnage / 3000, single_track, crossings / 5,
                         np.sin(hour / 24 * 2 * np.pi), np.cos(hour / 24 * 2 * np.pi), weekend])
    return X.astype(np.float32), delay_h.astype(np.float32)


rng = np.random.default_rng(8)
X_tr, y_tr = consists(4000, rng)
X_va, y_va = consists(1000, rng)
mu, sd = X_tr[:, :5].mean(0), X_tr[:, :5].std(0)
X_tr[:, :5] = (X_tr[:, :5] - mu) / sd                    # sin/cos and the weekend flag stay as they are
X_va[:, :5] = (X_va[:, :5] - mu) / sd
X_tr, y_tr, X_va, y_va = map(torch.from_numpy, (X_tr, y_tr, X_va, y_va))
print(f"delay hours: median {y_tr.median():.2f}  mean {y_tr.mean():.2f}  p99 {y_tr.quantile(0.99):.2f}  max {y_tr.max():.1f}")


def init_linear(n_in, n_out):
    w = torch.randn(n_in, n_out) * math.sqrt(2.0 / n_in)
    return w.requires_grad_(), torch.zeros(n_out, requires_grad=True)


W1, b1 = init_linear(8, 64)
W2, b2 = init_linear(64, 64)
W3, b3 = init_linear(64, 1)
with torch.no_grad():
    b3.fill_(y_tr.median())
params = [W1, b1, W2, b2, W3, b3]


def net(x):
    h = F.silu(x @ W1 + b1)
    h = F.silu(h @ W2 + b2)
    return (h @ W3 + b3).squeeze(-1)


epochs, batch, peak_lr, warmup = 30, 64, 0.05, 100
steps_per_epoch = math.ceil(len(X_tr) / batch)
total = epochs * steps_per_epoch
step = 0
for epoch in range(epochs):
    order = torch.randperm(len(X_tr))
    for i in range(0, len(X_tr), batch):
        idx = order[i:i + batch]
        loss = F.huber_loss(net(X_tr[idx]), y_tr[idx], delta=1.0)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 5.0)
        if step < warmup:
            lr = peak_lr * (step + 1) / warmup
        else:
            lr = 0.5 * peak_lr * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
        step += 1
    if (epoch + 1) % 5 == 0:
        with torch.no_grad():
            val_pred = net(X_va)
            val_loss = F.huber_loss(val_pred, y_va, delta=1.0).item()
            mae = (val_pred - y_va).abs().mean().item() * 60
        print(f"epoch {epoch + 1:2d}  lr {lr:.4f}  train_huber {loss.item():.4f}  val_huber {val_loss:.4f}  val_mae_min {mae:.1f}")

with torch.no_grad():
    val_pred = net(X_va)
    mae = (val_pred - y_va).abs().mean().item() * 60
    base = (y_tr.median() - y_va).abs().mean().item() * 60
print(f"val MAE {mae:.1f} min (median-delay baseline {base:.1f} min)")
