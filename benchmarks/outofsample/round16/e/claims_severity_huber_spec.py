"""Motor-insurance claim severity (cost per claim) from policy features.

Claim costs are heavy-tailed (a few total-loss / injury claims are 30-100x the
median). Targets are scaled robustly (median / IQR of the training costs), not by
mean/std, and the model is fit with a Huber loss so the tail does not dominate
the gradient. Continuous features are standardised; the one-hot region and fuel
columns are left as 0/1.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def _data(seed=8, n=6000):
    rng = np.random.default_rng(seed)
    driver_age = rng.uniform(18, 85, n)
    vehicle_age = rng.gamma(2.0, 3.0, n)
    power_kw = rng.lognormal(4.4, 0.35, n)
    bonus_malus = rng.uniform(50, 150, n)
    density = rng.lognormal(6.0, 1.5, n)
    region = rng.integers(0, 8, n)
    diesel = rng.integers(0, 2, n)
    region_eff = np.array([0.0, 0.1, -0.15, 0.25, 0.05, -0.05, 0.3, -0.2])
    log_mu = (7.2 + 0.02 * np.abs(driver_age - 45) - 0.07 * vehicle_age + 1.2 * np.log(power_kw / 80)
              + 0.008 * (bonus_malus - 100) + 0.12 * np.log(density) + region_eff[region] + 0.1 * diesel)
    cost = np.exp(log_mu + rng.normal(0, 0.3, n))
    big = rng.random(n) < 0.03                                   # bodily-injury / total-loss claims
    cost[big] *= rng.pareto(1.8, big.sum()) * 10 + 10
    cont = np.column_stack([driver_age, vehicle_age, np.log(power_kw), bonus_malus, np.log(density)])
    X = np.column_stack([cont, np.eye(8)[region], diesel]).astype(np.float32)
    return X, cost.astype(np.float32)


def setup():
    torch.manual_seed(8)
    X, cost = _data()
    n_tr = 4800
    mu, sd = X[:n_tr, :5].mean(0), X[:n_tr, :5].std(0)
    X[:, :5] = (X[:, :5] - mu) / sd
    med = np.median(cost[:n_tr])
    iqr = np.subtract(*np.percentile(cost[:n_tr], [75, 25]))
    y = ((cost - med) / iqr).reshape(-1, 1).astype(np.float32)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-4),
        batch_size=64,
    )
