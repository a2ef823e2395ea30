"""Hourly bike-share rentals at one docking station: Poisson regression MLP.

Counts are modelled directly with a log link (PoissonNLLLoss on the log-rate),
so the targets stay raw counts; the output bias starts at the log of the mean
training count. Calendar inputs are cyclic (sin/cos of hour) and one-hot
(weekday), weather inputs are standardised. Plain hand-written SGD with
momentum (no torch.optim), a step decay, and clipping of the gradient norm as
insurance against storm-day outliers. Reports validation Poisson deviance and
MAE in bikes per hour.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def station_log(n_days, rng):
    rows, counts = [], []
    for d in range(n_days):
        wd = d % 7
        temp = 14 + 9 * math.sin(2 * math.pi * (d - 100) / 365) + rng.normal(0, 3)
        rain_day = rng.random() < 0.25
        for h in range(24):
            rain = float(rain_day and rng.random() < 0.5)
            hum = np.clip(60 + 25 * rain + rng.normal(0, 10), 15, 100)
            wind = abs(rng.normal(12, 6))
            commute = (wd < 5) * (2.2 * math.exp(-0.5 * ((h - 8) / 1.2) ** 2)
                                  + 2.6 * math.exp(-0.5 * ((h - 17.5) / 1.5) ** 2))
            leisure = (wd >= 5) * 1.6 * math.exp(-0.5 * ((h - 14) / 3.0) ** 2)
            night = -2.0 * (h < 6)
            log_rate = (1.3 + commute + leisure + night + 0.05 * (temp - 14)
                        - 0.9 * rain - 0.015 * (wind - 12) - 0.004 * (hum - 60))
            counts.append(rng.poisson(math.exp(log_rate)))
            rows.append((h, wd, temp, hum, wind, rain))
    return np.array(rows, np.float64), np.array(counts, np.float32)


def featurize(rows, stats):
    h, wd = rows[:, 0], rows[:, 1].astype(int)
    cyc = np.stack([np.sin(2 * np.pi * h / 24), np.cos(2 * np.pi * h / 24),
                    np.sin(4 * np.pi * h / 24), np.cos(4 * np.pi * h / 24)], 1)
    onehot = np.eye(7)[wd]
    weather = (rows[:, 2:5] - stats[0]) / stats[1]
    return np.concatenate([cyc, onehot, weather, rows[:, 5:6]], 1).astype(np.float32)


def main():
    torch.manual_seed(4)
    rng = np.random.default_rng(4)
    rows, y = station_log(300, rng)
    n_tr = 240 * 24                      # first 240 days train, last 60 validate
    stats = (rows[:n_tr, 2:5].mean(0), rows[:n_tr, 2:5].std(0))
    X = torch.from_numpy(featurize(rows, stats))
    y = torch.from_numpy(y)
    Xtr, ytr, Xva, yva = X[:n_tr], y[:n_tr], X[n_tr:], y[n_tr:]

    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(),
                          nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    with torch.no_grad():
        model[-1].bias.fill_(math.log(ytr.mean().item()))
    params = list(model.parameters())
    velocity = [torch.zeros_like(p) for p in params]
    lr, momentum, max_norm, batch = 0.02, 0.9, 5.0, 64

    for epoch in range(1, 31):
        if epoch in (20, 27):
            lr *= 0.3
        perm = torch.randperm(n_tr)
        total = 0.0
        for i in range(0, n_tr, batch):
            idx = perm[i:i + batch]
            log_rate = model(Xtr[idx]).squeeze(1)
            loss = F.poisson_nll_loss(log_rate, ytr[idx], log_input=True)
            for p in params:
                p.grad = None
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, max_norm)
            with torch.no_grad():
                for p, v in zip(params, velocity):
                    v.mul_(momentum).add_(p.grad)
                    p -= lr * v
            total += loss.item() * len(idx)
        with torch.no_grad():
            mu = model(Xva).squeeze(1).exp()
            dev = 2 * (torch.xlogy(yva, yva / mu) - (yva - mu)).mean().item()
            mae = (mu - yva).abs().mean().item()
        if epoch % 5 == 0 or epoch == 1:
            print(f"epoch {epoch:2d} train_nll {total / n_tr:.4f} val_deviance {dev:.4f} val_mae {mae:.3f}")
    null_dev = 2 * (torch.xlogy(yva, yva / ytr.mean()) - (yva - ytr.mean())).mean().item()
    print(f"final val_deviance {dev:.4f} (constant-rate model {null_dev:.4f}) val_mae {mae:.3f} "
          f"mean count {yva.mean():.2f}")


if __name__ == "__main__":
    main()
