"""Next-day cash withdrawals per ATM (checkup spec).

Features per machine-day: site type (one-hot: branch, mall, station, petrol, hospital),
weekday (one-hot), payday / public-holiday flags, log of last week's mean withdrawals,
footfall index, distance to nearest other ATM, days since last top-up. Target: next-day
withdrawals in thousands, standardised with the training statistics.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def load_atm_days(n=4000, seed=21):
    rng = np.random.default_rng(seed)
    site = rng.choice(5, n, p=[0.35, 0.2, 0.15, 0.2, 0.1])
    weekday = rng.integers(0, 7, n)
    payday = (rng.random(n) < 0.07).astype(np.float32)
    holiday = (rng.random(n) < 0.04).astype(np.float32)
    base = np.array([18.0, 30.0, 24.0, 12.0, 9.0])[site] * rng.lognormal(0, 0.3, n)
    last_week = base * rng.lognormal(0, 0.12, n)
    footfall = rng.normal(0, 1, n) + 0.5 * (site == 1)
    dist = rng.exponential(0.8, n)
    since_topup = rng.integers(0, 6, n).astype(np.float32)
    weekly = np.array([1.0, 0.9, 0.9, 1.0, 1.25, 1.45, 0.8])[weekday]
    mall_weekend = 1 + 0.4 * (site == 1) * (weekday >= 5)
    demand = (base * weekly * mall_weekend * (1 + 0.6 * payday) * (1 - 0.3 * holiday * (site == 0))
              * (1 + 0.1 * footfall) * (1 + 0.08 * np.minimum(dist, 3)) + rng.normal(0, 1.5, n))
    X = np.concatenate([
        np.eye(5, dtype=np.float32)[site],
        np.eye(7, dtype=np.float32)[weekday],
        payday[:, None], holiday[:, None],
        np.stack([np.log(last_week), footfall, dist, since_topup], 1).astype(np.float32),
    ], 1)
    return X.astype(np.float32), demand.astype(np.float32)


def setup():
    torch.manual_seed(0)
    X, y = load_atm_days()
    n_tr = 3200
    cont = slice(14, 18)                      # continuous columns only; one-hots and flags stay 0/1
    mu, sd = X[:n_tr, cont].mean(0), X[:n_tr, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd
    y = (y - y[:n_tr].mean()) / y[:n_tr].std()
    X, y = torch.from_numpy(X), torch.from_numpy(y).unsqueeze(1)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.MSELoss(reduction="sum"),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.003, momentum=0.9),
        batch_size=64,
    )
