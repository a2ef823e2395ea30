"""Estimate bench hours for antique-clock repair jobs from the intake sheet.

Intake records the case style, movement age, number of trains (going / strike / chime),
the bench's condition score, pivot holes needing bushes, and yes/no flags (mainspring,
fusee chain, dial restoration). Bench hours are heavy-tailed: most jobs take a day or two,
a few restorations run to weeks, so the fit uses a Huber loss on robustly scaled hours
and is scored on the median absolute error in hours.
"""
import copy

import numpy as np
import torch
from torch import nn

STYLES = ["longcase", "bracket", "carriage", "mantel", "skeleton", "lantern", "cuckoo"]


def intake_sheets(n, rng):
    style = rng.integers(0, len(STYLES), size=n)
    age = rng.uniform(40, 320, size=n)                       # years
    trains = rng.choice([1, 2, 3], size=n, p=[0.3, 0.5, 0.2])
    condition = rng.uniform(1, 10, size=n)                   # 10 = excellent
    bushes = rng.poisson(2 + (10 - condition) * 0.8)
    spring = rng.random(n) < 0.35
    fusee = (rng.random(n) < 0.25) & np.isin(style, [1, 2, 4])
    dial = rng.random(n) < 0.15
    style_h = np.array([9.0, 7.0, 6.0, 4.0, 8.0, 10.0, 5.0])[style]
    hours = (style_h + 3.5 * trains + 0.9 * bushes + 0.01 * age
             + 4.0 * spring + 6.0 * fusee + 9.0 * dial + 0.6 * (10 - condition))
    hours *= np.exp(rng.normal(0, 0.15, size=n))
    big = rng.random(n) < 0.04                               # seized or previously botched work
    hours += big * rng.pareto(1.5, size=n) * 25
    cont = np.column_stack([age, trains, condition, bushes]).astype(np.float32)
    flags = np.column_stack([np.eye(len(STYLES))[style], spring, fusee, dial]).astype(np.float32)
    return cont, flags, hours.astype(np.float32)


def main():
    rng = np.random.default_rng(1907)
    torch.manual_seed(1907)
    cont, flags, hours = intake_sheets(3000, rng)
    tr, va = slice(0, 2400), slice(2400, 3000)
    c_mu, c_sd = cont[tr].mean(0), cont[tr].std(0)
    X = torch.from_numpy(np.hstack([(cont - c_mu) / c_sd, flags]))
    med = np.median(hours[tr])
    iqr = np.subtract(*np.percentile(hours[tr], [75, 25]))
    y = torch.from_numpy(((hours - med) / iqr).astype(np.float32))
    Xtr, ytr, Xva = X[tr], y[tr], X[va]

    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(),
                          nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    loss_fn = nn.HuberLoss(delta=1.0)
    lr, decay, bs, epochs = 0.05, 0.995, 32, 40

    for epoch in range(epochs):
        perm = torch.randperm(len(Xtr))
        total = 0.0
        for i in range(0, len(perm), bs):
            idx = perm[i:i + bs]
            loss = loss_fn(model(Xtr[idx]).squeeze(-1), ytr[idx])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
                for pe, p in zip(ema.parameters(), model.parameters()):
                    pe.mul_(decay).add_(p, alpha=1 - decay)
            total += loss.item() * len(idx)
        if epoch % 10 == 9:
            with torch.no_grad():
                val = nn.functional.huber_loss(ema(Xva).squeeze(-1), y[va], reduction="sum").item()
            print(f"epoch {epoch + 1:3d}  train huber {total / len(Xtr):.4f}  val huber (EMA) {val / len(Xva):.4f}")

    ema.eval()
    with torch.no_grad():
        pred_h = ema(Xva).squeeze(-1).numpy() * iqr + med
    err = np.abs(pred_h - hours[va])
    base = np.abs(np.median(hours[tr]) - hours[va])
    print(f"val median abs error {np.median(err):.2f} h (predict-the-median baseline {np.median(base):.2f} h)")


if __name__ == "__main__":
    main()
