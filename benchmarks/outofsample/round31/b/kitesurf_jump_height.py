"""Kitesurf school: predict a rider's peak jump height (m) from a session's conditions.

Rows come from wrist-worn IMU logs (one jump per row) joined with the station's wind
readings and the school's kit records. Jump heights are heavy-tailed: most jumps are
1-3 m, a few gusty-day "megaloops" reach 10+ m, and the altimeter occasionally glitches
high. We fit with the Huber loss so those few jumps do not dominate, update the weights
by hand (plain SGD with momentum, clipped), and score an EMA copy of the weights.
"""
import copy
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def jump_log(n, rng):
    wind_kn = rng.gamma(6.0, 3.2, n)                       # knots
    gust = np.clip(rng.normal(1.25, 0.12, n), 1.0, None)  # gust factor
    kite_m2 = rng.choice([7, 9, 10, 12, 14], n).astype(float)
    rider_kg = rng.normal(78, 11, n)
    line_m = rng.choice([20, 22, 24, 27], n).astype(float)
    board_cm = rng.normal(138, 4, n)
    skill = rng.integers(1, 6, n).astype(float)           # school's level 1..5
    chop = rng.gamma(2.0, 0.25, n)                         # wave height, m
    pull = kite_m2 * wind_kn ** 2 / rider_kg               # rough power index
    height = (0.3 + 0.02 * pull * (0.6 + 0.25 * skill)
              * (1 + 1.8 * (gust - 1.2)) * (line_m / 22) ** 0.5
              - 0.4 * chop * (skill < 3))
    height = np.clip(height, 0.2, None) * rng.lognormal(0, 0.25, n)
    glitch = rng.random(n) < 0.02
    height[glitch] += rng.exponential(6.0, glitch.sum())  # altimeter spikes
    X = np.column_stack([wind_kn, gust, kite_m2, rider_kg, line_m, board_cm, skill, chop])
    return X.astype(np.float32), height.astype(np.float32)


def main():
    torch.manual_seed(17)
    rng = np.random.default_rng(17)
    X, y = jump_log(3000, rng)
    Xtr, ytr, Xva, yva = X[:2400], y[:2400], X[2400:], y[2400:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr = torch.from_numpy((Xtr - mu) / sd)
    Xva = torch.from_numpy((Xva - mu) / sd)
    ytr, yva = torch.from_numpy(ytr)[:, None], torch.from_numpy(yva)[:, None]
    print(f"jump height (train): median {ytr.median():.2f} m, mean {ytr.mean():.2f} m, "
          f"p99 {ytr.quantile(0.99):.2f} m, max {ytr.max():.2f} m")

    model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    with torch.no_grad():
        model[-1].bias.fill_(ytr.median().item())
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)

    lr, momentum, epochs, bs = 0.03, 0.9, 15, 32
    velocity = [torch.zeros_like(p) for p in model.parameters()]
    steps_per_epoch = math.ceil(len(Xtr) / bs)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(Xtr))
        lr_now = lr * 0.5 * (1 + math.cos(math.pi * epoch / epochs))
        for i in range(steps_per_epoch):
            idx = perm[i * bs:(i + 1) * bs]
            loss = F.huber_loss(model(Xtr[idx]), ytr[idx], delta=1.0)
            model.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            with torch.no_grad():
                for p, v in zip(model.parameters(), velocity):
                    v.mul_(momentum).add_(p.grad)
                    p -= lr_now * v
                for pe, p in zip(ema.parameters(), model.parameters()):
                    pe.mul_(0.98).add_(p, alpha=0.02)
        ema.eval()
        with torch.no_grad():
            pred = ema(Xva)
            mae = (pred - yva).abs().mean().item()
            med_ae = (pred - yva).abs().median().item()
        if epoch % 5 == 4:
            print(f"epoch {epoch + 1} lr {lr_now:.4f} huber {loss.item():.4f} val_MAE {mae:.3f} val_medAE {med_ae:.3f}")

    baseline = (yva - ytr.median()).abs().mean().item()
    ss_res = ((pred - yva) ** 2).sum().item()
    ss_tot = ((yva - yva.mean()) ** 2).sum().item()
    print(f"final val_MAE {mae:.3f} m (median baseline {baseline:.3f} m) R2 {1 - ss_res / ss_tot:.3f}")


if __name__ == "__main__":
    main()
