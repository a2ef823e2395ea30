"""Shipping-container cargo damage on arrival (intact / minor / major) from the
voyage's IoT logger summary and the route.

Continuous logger statistics are standardised with training-set statistics;
the route type is one-hot and left as 0/1. Major damage is rare, so the
cross-entropy is weighted by inverse class frequency. Small MLP with dropout,
AdamW.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

ROUTES = ["transpacific", "asia-europe", "transatlantic", "intra-asia", "feeder"]


def make_voyages(n, rng):
    route = rng.integers(0, len(ROUTES), n)
    days = rng.gamma(4, 5, n) * np.array([1.3, 1.6, 0.9, 0.4, 0.2])[route] + 1
    max_shock_g = rng.lognormal(0.6, 0.5, n) + 0.8 * (route == 4)          # feeders: more crane moves
    n_shocks = rng.poisson(2 + 0.3 * days)
    max_tilt = np.abs(rng.normal(0, 6, n)) * np.array([1.4, 1.2, 1.5, 0.8, 1.0])[route]
    rh_hours = rng.gamma(2, 0.15 * days * 6)                                # hours above 85% RH
    temp_swing = rng.normal(18, 6, n) + 4 * (route == 1)
    reefer = (rng.random(n) < 0.2).astype(float)
    score = (1.3 * np.maximum(max_shock_g - 3.0, 0) + 0.08 * n_shocks + 0.09 * np.maximum(max_tilt - 12, 0)
             + 0.015 * rh_hours * (1 - reefer) + 0.05 * np.maximum(temp_swing - 25, 0) + rng.normal(0, 0.35, n))
    y = np.digitize(score, [1.55, 2.8])
    cont = np.stack([np.log(days), max_shock_g, np.log1p(n_shocks), max_tilt, np.log1p(rh_hours), temp_swing, reefer], 1)
    onehot = np.eye(len(ROUTES))[route]
    return cont.astype(np.float32), onehot.astype(np.float32), y.astype(np.int64)


def setup():
    rng = np.random.default_rng(2024)
    torch.manual_seed(2024)
    cont, onehot, y = make_voyages(5000, rng)
    n_tr = 4000
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    X = np.concatenate([(cont - mu) / sd, onehot], 1)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    counts = torch.bincount(y[:n_tr], minlength=3).float()
    weight = counts.sum() / (3 * counts)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 3),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.CrossEntropyLoss(weight=weight),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=64,
    )
