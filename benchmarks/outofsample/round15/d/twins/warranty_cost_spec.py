"""Warranty claim cost per vehicle (standardised log cost) from odometer, age, engine size,
climate index and the vehicle's model line (40 lines, each with its own typical repair bill)."""
import numpy as np
import torch
from torch import nn
import nndoctor

N_LINES = 40


def _fleet(n, rng, line_effect):
    line = rng.integers(0, N_LINES, size=n)
    age = rng.uniform(0.5, 8.0, size=n)
    odo = age * rng.normal(15.0, 4.0, size=n).clip(3, None)      # thousand km
    engine = rng.choice([1.0, 1.4, 1.6, 2.0, 2.5, 3.0], size=n)
    climate = rng.normal(0.0, 1.0, size=n)
    log_cost = (line_effect[line] + 0.25 * np.log1p(odo) + 0.12 * age + 0.2 * engine
                + 0.1 * climate + rng.normal(0, 0.25, size=n))
    num = np.column_stack([odo, age, engine, climate])
    return num, line, log_cost


def setup():
    rng = np.random.default_rng(3)
    line_effect = rng.normal(0.0, 0.8, size=N_LINES)
    num, line, log_cost = _fleet(3000, rng, line_effect)
    tr, va = slice(0, 2400), slice(2400, None)

    mu, sd = num[tr].mean(0), num[tr].std(0)
    num_z = (num - mu) / sd
    line_block = np.eye(N_LINES)[line]
    X = np.hstack([num_z, line_block]).astype(np.float32)

    t_mu, t_sd = log_cost[tr].mean(), log_cost[tr].std()
    y = ((log_cost - t_mu) / t_sd).astype(np.float32)[:, None]

    torch.manual_seed(3)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
