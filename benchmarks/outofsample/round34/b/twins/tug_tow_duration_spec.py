"""Harbour tug jobs: predict how long a tow from the pilot station to the berth takes.

Checkup spec. Features: ship particulars, weather at the pilot station, tide, and the
destination berth from the port's berth register (14 berths).
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_BERTHS = 14


def job_log(n, seed=5):
    rng = np.random.default_rng(seed)
    length = rng.uniform(90, 330, n)                      # LOA, m
    draft = 0.035 * length + rng.normal(0, 1.0, n)
    wind = rng.gamma(2.5, 3.0, n)                         # m/s
    current = rng.normal(0, 0.8, n)                       # knots, + = flood
    tide = rng.uniform(-2.5, 2.5, n)                      # m above mean level
    visibility = np.clip(rng.lognormal(1.5, 0.6, n), 0.2, 20)
    berth = rng.integers(0, N_BERTHS, n)
    # each berth has its own approach: turning basin, bridge transit, lock, swing radius
    berth_minutes = np.random.default_rng(99).normal(0, 14, N_BERTHS)
    minutes = (35 + 0.11 * (length - 200) + 1.6 * np.maximum(wind - 8, 0) + 4.0 * np.abs(current)
               + 3.0 * np.maximum(draft - 9 - tide, 0) + 6.0 / visibility + berth_minutes[berth]
               + rng.normal(0, 4, n))
    num = np.column_stack([length, draft, wind, current, tide, visibility]).astype(np.float32)
    return num, berth, minutes.astype(np.float32)


def setup():
    torch.manual_seed(0)
    num, berth, minutes = job_log(2400)
    tr, va = slice(0, 1900), slice(1900, None)
    mu, sd = num[tr].mean(0), num[tr].std(0)
    X = np.column_stack([(num - mu) / sd, np.eye(N_BERTHS)[berth]]).astype(np.float32)
    y_mu, y_sd = minutes[tr].mean(), minutes[tr].std()
    y = ((minutes - y_mu) / y_sd)[:, None]
    X, y = torch.from_numpy(X), torch.from_numpy(y)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[tr], y[tr]),
        val=(X[va], y[va]),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
