"""Bus bunching: predict how far the next arrival at the stop deviates from the scheduled
headway, from the AVL snapshot when the bus leaves the previous stop.

Each row is one departure event on one of the operator's 28 routes. Routes differ a lot
(corridor length, bus lanes, ticketing), so the route matters as much as the live gap.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_ROUTES = 28


def departures(n=3000, seed=21):
    rng = np.random.default_rng(seed)
    route = rng.integers(0, N_ROUTES, n)
    r_offset = rng.normal(0.0, 1.2, N_ROUTES)          # minutes, route-level lateness
    r_gain = rng.uniform(0.2, 1.6, N_ROUTES)           # how gaps amplify downstream
    sched_headway = rng.choice([6.0, 8.0, 10.0, 12.0, 15.0], n)
    gap_dev = rng.normal(0.0, 2.0, n)                  # current deviation from schedule, min
    dwell = rng.gamma(2.0, 12.0, n)                    # s at previous stop
    boardings = rng.poisson(6.0, n).astype(float)
    hour = rng.uniform(5.0, 23.0, n)
    speed_idx = np.clip(rng.normal(0.8, 0.15, n), 0.3, 1.2)
    peak = np.exp(-((hour - 8.0) ** 2) / 2.0) + np.exp(-((hour - 17.5) ** 2) / 2.5)

    target = (r_offset[route] + r_gain[route] * gap_dev + 0.015 * dwell + 0.08 * boardings
              + 1.2 * peak * (1.1 - speed_idx) - 0.05 * sched_headway
              + rng.normal(0.0, 0.5, n))
    cont = np.column_stack([sched_headway, gap_dev, dwell, boardings,
                            np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24), speed_idx])
    return cont.astype(np.float32), route, target.astype(np.float32)


def setup():
    torch.manual_seed(0)
    cont, route, y = departures()
    n_tr = 2400
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    num = (cont - mu) / sd
    cat = ((route - route[:n_tr].mean()) / route[:n_tr].std())[:, None]
    X = np.concatenate([num, cat], axis=1).astype(np.float32)
    y = (y - y[:n_tr].mean()) / y[:n_tr].std()

    X, y = torch.from_numpy(X), torch.from_numpy(y).unsqueeze(1)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
