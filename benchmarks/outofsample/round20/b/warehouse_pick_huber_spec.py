"""Order pick duration (seconds) in a fulfilment centre, from the order and the picker's shift.

Durations are heavy-tailed (stock-outs, replenishment waits, aisle congestion), so the model is
fitted with a Huber loss on robustly scaled seconds (median / IQR) rather than MSE. Checkup spec.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def pick_log(n, seed=31):
    rng = np.random.default_rng(seed)
    lines = rng.integers(1, 14, n)
    units = lines + rng.poisson(1.5 * lines)
    zones = np.minimum(lines, rng.integers(1, 6, n))
    travel_m = 35 * zones + 8 * lines + rng.gamma(2.0, 20.0, n)
    weight_kg = units * rng.lognormal(-0.3, 0.8, n)
    experience_wk = rng.gamma(2.0, 30.0, n)
    hour = rng.uniform(6, 22, n)
    congestion = 0.5 + 0.5 * np.sin((hour - 9) / 24 * 2 * np.pi) ** 2 + 0.2 * rng.random(n)
    mezzanine = (rng.random(n) < 0.25).astype(float)

    speed = 1.1 * (1 - 0.35 * np.exp(-experience_wk / 20)) / congestion      # m/s
    t = (travel_m / speed + 9 * lines + 2.2 * units + 6 * np.sqrt(weight_kg)
         + 25 * mezzanine * zones + rng.normal(0, 12, n))
    stockout = rng.random(n) < 0.04 + 0.006 * lines
    t = t + stockout * rng.pareto(1.6, n) * 120                               # waits, heavy tail
    X = np.column_stack([lines, np.log(units), zones, travel_m, np.log1p(weight_kg),
                         np.log1p(experience_wk), np.sin(2 * np.pi * hour / 24),
                         np.cos(2 * np.pi * hour / 24), mezzanine])
    return X.astype(np.float32), t.astype(np.float32)


def setup():
    torch.manual_seed(1)
    X, t = pick_log(8000)
    n_tr = 6400
    cont = slice(0, 8)                                   # the mezzanine flag stays 0/1
    mu, sd = X[:n_tr, cont].mean(0), X[:n_tr, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd
    med = np.median(t[:n_tr])
    iqr = np.subtract(*np.percentile(t[:n_tr], [75, 25]))
    y = ((t - med) / iqr)[:, None].astype(np.float32)
    Xt, yt = torch.tensor(X), torch.tensor(y)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(Xt[:n_tr], yt[:n_tr]),
        val=(Xt[n_tr:], yt[n_tr:]),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
