"""Weir gauge health: classify a gauge-day as normal / debris-fouled / iced /
drifting from summary statistics of its 15-minute stage record (checkup spec)."""
import numpy as np
import torch
from torch import nn

import nndoctor

STATUS = ["normal", "fouled", "iced", "drift"]


def gauge_days(n=7000, seed=3):
    rng = np.random.default_rng(seed)
    status = rng.choice(4, size=n, p=[0.90, 0.05, 0.03, 0.02])
    stage = rng.lognormal(-1.2, 0.5, n)                       # mean head over the crest, m
    water_t = rng.normal(9, 4, n)                             # deg C
    std = stage * rng.lognormal(-2.5, 0.4, n)
    lag1 = np.clip(rng.normal(0.93, 0.03, n), 0, 0.999)
    repeats = rng.beta(2, 30, n)                              # share of identical consecutive readings
    max_jump = std * rng.lognormal(0.8, 0.3, n)
    spikes = rng.poisson(0.6, n).astype(float)
    resid = rng.normal(0, 0.01, n)                            # vs upstream gauge, m
    slope = rng.normal(0, 0.002, n)                           # residual trend, m/day
    battery = rng.normal(12.6, 0.25, n)

    f, i, d = status == 1, status == 2, status == 3
    spikes[f] += rng.poisson(3.0, f.sum())
    max_jump[f] *= rng.lognormal(0.5, 0.4, f.sum())
    lag1[f] -= rng.uniform(0.0, 0.08, f.sum())
    water_t[i] = rng.normal(1.5, 1.8, i.sum())
    repeats[i] += rng.uniform(0.05, 0.3, i.sum())
    std[i] *= rng.uniform(0.3, 1.0, i.sum())
    slope[d] += rng.choice([-1, 1], d.sum()) * rng.uniform(0.003, 0.008, d.sum())
    resid[d] += rng.normal(0, 0.012, d.sum())
    battery[d] -= rng.uniform(0.0, 0.4, d.sum())

    X = np.stack([np.log(stage), np.log(std), lag1, repeats, np.log(max_jump), spikes,
                  water_t, resid, slope, battery], 1)
    return X.astype(np.float32), status.astype(np.int64)


def setup():
    torch.manual_seed(0)
    X, y = gauge_days()
    n_tr = 5200
    X_tr, y_tr, X_va, y_va = X[:n_tr], y[:n_tr], X[n_tr:], y[n_tr:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, len(STATUS)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
