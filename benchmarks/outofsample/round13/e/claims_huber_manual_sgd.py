"""Repair-cost model for a fleet: predict the invoiced hours of a repair job from job features.

Invoice data has heavy tails (a few jobs bill 20x the usual), so we fit a Huber loss on
robustly scaled targets (median / IQR) and clip gradient norms as insurance. The update is
written by hand (SGD with heavy-ball momentum and a cosine learning rate), no torch.optim.
"""
import math

import numpy as np
import torch
import torch.nn as nn

SEED = 3
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)


def make_jobs(n):
    age = rng.uniform(0, 15, n)                  # vehicle age, years
    km = rng.gamma(2.0, 60.0, n)                 # thousand km
    parts = rng.poisson(3, n).astype(float)      # parts on the order
    urgent = (rng.random(n) < 0.2).astype(float)
    temp = rng.normal(12, 9, n)                  # workshop temperature
    complexity = rng.uniform(0, 1, n)
    X = np.stack([age, km, parts, urgent, temp, complexity], 1)
    hours = (1.5 + 0.15 * age + 0.004 * km + 0.8 * parts + 1.2 * urgent * complexity
             + 3.0 * np.sin(3 * complexity) + 0.02 * np.maximum(temp - 20, 0) ** 2)
    noise = rng.standard_t(df=1.5, size=n) * 0.8  # heavy-tailed billing noise
    return X.astype(np.float32), (hours + noise).astype(np.float32)


def main():
    X_tr, y_tr = make_jobs(3000)
    X_va, y_va = make_jobs(800)
    x_mu, x_sd = X_tr.mean(0), X_tr.std(0)
    y_med = np.median(y_tr)
    y_iqr = np.subtract(*np.percentile(y_tr, [75, 25]))
    Xt = torch.tensor((X_tr - x_mu) / x_sd, dtype=torch.float32)
    Xv = torch.tensor((X_va - x_mu) / x_sd, dtype=torch.float32)
    yt = torch.tensor((y_tr - y_med) / y_iqr, dtype=torch.float32)

    model = nn.Sequential(nn.Linear(6, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
    criterion = nn.HuberLoss(delta=1.0)
    params = [p for p in model.parameters()]
    velocity = [torch.zeros_like(p) for p in params]
    base_lr, momentum, wd = 0.05, 0.9, 1e-4
    batch, epochs = 64, 30
    steps_per_epoch = math.ceil(len(Xt) / batch)
    total, step = epochs * steps_per_epoch, 0

    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(Xt))
        epoch_loss = 0.0
        for i in range(0, len(Xt), batch):
            idx = perm[i:i + batch]
            pred = model(Xt[idx]).squeeze(-1)
            loss = criterion(pred, yt[idx])
            model.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, max_norm=5.0)
            lr = 0.5 * base_lr * (1 + math.cos(math.pi * step / total))
            with torch.no_grad():
                for p, v in zip(params, velocity):
                    v.mul_(momentum).add_(p.grad + wd * p)
                    p -= lr * v
            step += 1
            epoch_loss += loss.item() * len(idx)
        if epoch % 5 == 4:
            model.eval()
            with torch.no_grad():
                pv = model(Xv).squeeze(-1).numpy() * y_iqr + y_med
            print(f"epoch {epoch + 1:2d}  train huber {epoch_loss / len(Xt):.4f}  "
                  f"val MAE {np.abs(pv - y_va).mean():.3f} h  lr {lr:.4f}")

    model.eval()
    with torch.no_grad():
        pv = model(Xv).squeeze(-1).numpy() * y_iqr + y_med
    mae = np.abs(pv - y_va).mean()
    medae = np.median(np.abs(pv - y_va))
    base = np.abs(y_med - y_va).mean()
    print(f"final: val MAE {mae:.3f} h (median-predictor MAE {base:.3f} h)  val median AE {medae:.3f} h")


if __name__ == "__main__":
    main()
