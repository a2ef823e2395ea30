"""Food-delivery ETA regression with a Huber loss.

Delivery times have a heavy right tail (traffic incidents, lost couriers, a
restaurant that forgot the order), so the target is centred by its median and
scaled by its IQR, and fitted with a Huber loss so a handful of 3-hour
deliveries do not dominate the gradient. Hour of day is encoded as sin/cos,
rain as a 0/1 flag left unscaled.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def deliveries(n, rng):
    dist_km = rng.gamma(2.2, 1.6, n)
    prep_min = rng.gamma(3.0, 4.0, n)
    hour = rng.uniform(10, 24, n)
    rain = (rng.random(n) < 0.18).astype(float)
    courier_exp = rng.exponential(200, n)
    traffic = rng.beta(2, 3, n)
    items = rng.poisson(2.5, n) + 1
    load = rng.poisson(6, n)
    peak = np.exp(-0.5 * ((hour - 12.5) / 1.0) ** 2) + 1.3 * np.exp(-0.5 * ((hour - 19.5) / 1.3) ** 2)
    minutes = (prep_min * (1 + 0.04 * load) + dist_km * (2.8 + 6 * traffic * (1 + peak))
               + 4 * rain * dist_km / 3 - 3 * np.tanh(courier_exp / 300) + 0.5 * items)
    minutes = minutes + 2.5 * rng.standard_t(2.0, n) + rng.exponential(1.0, n) * (rng.random(n) < 0.04) * 60
    feats = np.column_stack([
        np.log1p(dist_km), np.log1p(prep_min), np.sin(2 * np.pi * hour / 24),
        np.cos(2 * np.pi * hour / 24), rain, np.log1p(courier_exp), traffic,
        np.log1p(items), np.log1p(load),
    ])
    return feats, minutes


def setup():
    torch.manual_seed(8)
    rng = np.random.default_rng(8)
    X, y = deliveries(6000, rng)
    n_tr = 5000
    cont = [0, 1, 2, 3, 5, 6, 7, 8]
    mu, sd = X[:n_tr, cont].mean(0), X[:n_tr, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd
    med = np.median(y[:n_tr])
    iqr = np.subtract(*np.percentile(y[:n_tr], [75, 25]))
    y = (y - med) / iqr

    t = lambda a: torch.tensor(a, dtype=torch.float32)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 32), nn.ReLU(),
        nn.Linear(32, 32), nn.ReLU(),
        nn.Linear(32, 1), nn.Flatten(0),
    )
    return nndoctor.Setup(
        model=model,
        train=(t(X[:n_tr]), t(y[:n_tr])),
        val=(t(X[n_tr:]), t(y[n_tr:])),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
