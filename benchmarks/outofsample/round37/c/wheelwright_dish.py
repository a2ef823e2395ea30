"""Wheelwright's shop: predict how far a cart wheel dishes after the iron tyre is shrunk on.

Inputs are the measurements taken before tyring (spoke count and angles, felloe depth,
nave diameter, tyre shortfall, iron temperature, timber moisture, ...). The dish (mm)
has a heavy right tail: now and then a felloe joint slips and the wheel dishes far more
than usual. We fit an MLP with a Huber loss and a plain hand-written SGD update.
"""
import math

import numpy as np
import torch
from torch import nn


def shop_book(n, seed):
    rng = np.random.default_rng(seed)
    spokes = rng.choice([10, 12, 14, 16], n).astype(float)
    stagger = rng.uniform(0, 6, n)              # mm spoke stagger
    felloe_depth = rng.uniform(60, 110, n)
    nave_d = rng.uniform(250, 380, n)
    shortfall = rng.uniform(8, 30, n)            # mm tyre shorter than the wheel rim
    iron_temp = rng.uniform(450, 750, n)
    moisture = rng.uniform(10, 22, n)
    spoke_angle = rng.uniform(2, 9, n)
    dish = (0.45 * shortfall * (moisture / 15) ** 0.8 / np.sqrt(felloe_depth / 80)
            + 0.6 * spoke_angle - 0.15 * spokes + 0.3 * stagger
            + 0.004 * (iron_temp - 600) + 0.01 * (nave_d - 300))
    slip = rng.random(n) < 0.06
    dish = dish + np.where(slip, rng.exponential(12, n), 0) + rng.standard_t(3, n) * 0.8
    X = np.column_stack([spokes, stagger, felloe_depth, nave_d, shortfall, iron_temp, moisture, spoke_angle])
    return X.astype(np.float32), dish.astype(np.float32)


def main():
    torch.manual_seed(7)
    X, y = shop_book(2000, seed=3)
    X_tr, y_tr, X_va, y_va = X[:1600], y[:1600], X[1600:], y[1600:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    y_med = float(np.median(y_tr))
    y_scale = float(np.percentile(y_tr, 75) - np.percentile(y_tr, 25))
    Xt = torch.from_numpy((X_tr - mu) / sd)
    yt = torch.from_numpy((y_tr - y_med) / y_scale)
    Xv = torch.from_numpy((X_va - mu) / sd)

    model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    loss_fn = nn.HuberLoss(delta=1.0)
    base_lr, epochs, bs = 0.05, 40, 32
    n = len(Xt)
    steps_total, step = epochs * math.ceil(n / bs), 0
    for epoch in range(epochs):
        perm = torch.randperm(n)
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            loss = loss_fn(model(Xt[idx]).squeeze(-1), yt[idx])
            model.zero_grad()
            loss.backward()
            lr = base_lr * 0.5 * (1 + math.cos(math.pi * step / steps_total))
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
            step += 1
        if epoch % 10 == 9:
            print(f"epoch {epoch + 1} lr {lr:.4f} huber {loss.item():.4f}")

    model.eval()
    with torch.no_grad():
        pred = model(Xv).squeeze(-1).numpy() * y_scale + y_med
    mae = np.abs(pred - y_va).mean()
    base = np.abs(y_med - y_va).mean()
    print(f"val MAE {mae:.3f} mm (median baseline {base:.3f} mm)")


if __name__ == "__main__":
    main()
