"""Checkup spec: flange-wear rate of tram wheelsets (mm per 10,000 km, standardised) from
route and vehicle data. Wear rates are heavy-tailed (a few sets on tight depot curves wear
fast), so the model is fitted with a Huber loss; wheel position and depot are one-hot."""
import numpy as np
import torch
from torch import nn
import nndoctor


def simulate(n, rng):
    curvature = rng.gamma(2.0, 0.6, n)              # share of km on curves R < 100 m, %
    braking = rng.gamma(3.0, 4.0, n)                # hard brake events per 100 km
    speed = rng.normal(22, 4, n)                    # mean km/h
    load = rng.uniform(0.3, 1.0, n)                 # mean passenger load factor
    temp = rng.normal(10, 8, n)                     # mean air temperature, C
    lubricator = rng.random(n) < 0.6                # flange lubricator fitted
    position = rng.integers(0, 8, n)                # axle/side position on the vehicle
    depot = rng.integers(0, 3, n)
    pos_effect = np.array([0.35, 0.3, 0.0, 0.0, 0.0, 0.0, 0.25, 0.3])[position]   # leading/trailing axles
    depot_effect = np.array([0.0, 0.25, -0.1])[depot]
    rate = (0.6 + 0.5 * curvature * (1 - 0.7 * lubricator) * (1 + 2 * pos_effect) + 0.02 * braking
            + 0.3 * load * (speed > 22) + depot_effect - 0.01 * (temp - 10))
    rate = rate + 0.08 * rng.standard_t(2.5, n)               # heavy-tailed measurement scatter
    cont = np.stack([curvature, braking, speed, load, temp], 1)
    return cont, lubricator, position, depot, rate


def setup():
    torch.manual_seed(41)
    rng = np.random.default_rng(41)
    cont, lub, pos, depot, rate = simulate(3000, rng)
    tr = slice(0, 2400)
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([(cont - mu) / sd, lub[:, None], np.eye(8)[pos], np.eye(3)[depot]], 1)
    y_med = np.median(rate[tr])
    y_iqr = np.subtract(*np.percentile(rate[tr], [75, 25]))
    y = (rate - y_med) / y_iqr
    X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)[:, None]
    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.SiLU(), nn.Dropout(0.1),
                          nn.Linear(64, 32), nn.SiLU(), nn.Linear(32, 1))
    return nndoctor.Setup(
        model=model,
        train=(X[:2400], y[:2400]),
        val=(X[2400:], y[2400:]),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-3),
        batch_size=64,
    )
