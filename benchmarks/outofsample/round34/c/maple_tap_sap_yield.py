"""Sugarbush tap lines: predict tomorrow's sap yield per tap (litres) from the forecast.

Sap runs need a freeze-thaw cycle; a handful of perfect days give huge runs, so the
target is heavy-tailed. We keep the target in litres (centred, scaled by the training
IQR) and fit it under a Huber loss so the big-run days do not dominate the gradient.
Plain hand-written SGD with a step decay, gradient-norm clipping as insurance, and an
EMA copy of the weights that is what we actually evaluate and ship.
"""
import copy
import math

import numpy as np
import torch
from torch import nn

FEATURES = ["tmin_c", "tmax_c", "snowpack_cm", "dbh_cm", "tap_height_m", "tap_age_days",
            "aspect_south", "wind_ms", "pressure_trend", "day_of_season"]


def forecast_days(n, rng):
    tmin = rng.normal(-4, 5, n)
    tmax = tmin + rng.gamma(4, 2, n)
    snow = np.clip(rng.normal(40, 25, n), 0, None)
    dbh = rng.uniform(25, 80, n)
    height = rng.uniform(0.6, 1.6, n)
    age = rng.uniform(0, 45, n)
    south = rng.uniform(-1, 1, n)
    wind = rng.gamma(2, 2, n)
    ptrend = rng.normal(0, 1, n)
    dos = rng.uniform(0, 50, n)
    thaw = np.clip(tmax - 1, 0, 8) * np.clip(-tmin, 0, 10) / 10      # freeze-thaw drive
    base = (thaw * (0.5 + 0.02 * dbh) * np.exp(-age / 40) * (1 + 0.25 * np.tanh(ptrend))
            * (1 + 0.004 * snow) * (1 - 0.3 * np.clip(dos - 35, 0, None) / 15)
            + 0.3 * south * thaw - 0.05 * wind)
    yield_l = np.clip(base, 0, None) * rng.lognormal(0, 0.35, n) + rng.normal(0, 0.15, n)
    X = np.stack([tmin, tmax, snow, dbh, height, age, south, wind, ptrend, dos], 1)
    return X.astype(np.float32), yield_l.astype(np.float32)


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, p in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(p, alpha=1 - decay)


def main():
    torch.manual_seed(8)
    rng = np.random.default_rng(8)
    X, y = forecast_days(5000, rng)
    Xtr, ytr, Xva, yva = X[:4000], y[:4000], X[4000:], y[4000:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    y_c = float(np.median(ytr))
    y_s = float(np.subtract(*np.percentile(ytr, [75, 25])))
    print(f"yield litres: median {y_c:.2f}, IQR {y_s:.2f}, max {ytr.max():.1f}, 99th pct {np.percentile(ytr, 99):.1f}")
    Xtr_t, Xva_t = torch.tensor((Xtr - mu) / sd), torch.tensor((Xva - mu) / sd)
    ytr_t = torch.tensor((ytr - y_c) / y_s)

    model = nn.Sequential(nn.Linear(len(FEATURES), 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    ema = copy.deepcopy(model)
    loss_fn = nn.HuberLoss(delta=1.0)
    lr, batch, epochs = 0.05, 32, 24

    step = 0
    for epoch in range(epochs):
        if epoch in (14, 20):
            lr *= 0.3
        perm = torch.randperm(len(Xtr_t))
        running = 0.0
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            loss = loss_fn(model(Xtr_t[idx]).squeeze(-1), ytr_t[idx])
            model.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
            ema_update(ema, model, decay=min(0.995, (1 + step) / (10 + step)))
            step += 1
            running += loss.item() * len(idx)
        ema.eval()
        with torch.no_grad():
            pred = ema(Xva_t).squeeze(-1).numpy() * y_s + y_c
        mae = float(np.abs(pred - yva).mean())
        print(f"epoch {epoch + 1:2d} lr {lr:.4f} train huber {running / len(perm):.4f} val MAE {mae:.3f} L")

    ridge_w = np.linalg.lstsq(np.c_[np.ones(len(Xtr)), (Xtr - mu) / sd], ytr, rcond=None)[0]
    ridge_mae = float(np.abs(np.c_[np.ones(len(Xva)), (Xva - mu) / sd] @ ridge_w - yva).mean())
    print(f"FINAL val_MAE {mae:.3f} L (linear least squares {ridge_mae:.3f} L, "
          f"predict-median {np.abs(yva - y_c).mean():.3f} L)")


if __name__ == "__main__":
    main()
