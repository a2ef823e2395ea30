"""Checkup spec: house-price regression on a synthetic listings table. Prices (in EUR, heavy
right tail) are modelled as standardised log-prices with a Huber loss; the continuous columns
are standardised with training statistics, the two binary flags (garden, renovated) are left
as 0/1. An MLP with SiLU units, AdamW."""
import numpy as np
import torch
from torch import nn

import nndoctor


def make_listings(n, rng):
    area = rng.lognormal(np.log(85), 0.45, n)                    # m^2
    rooms = np.clip(np.round(area / 25 + rng.normal(0, 0.7, n)), 1, 9)
    age = rng.uniform(0, 120, n)                                 # years
    dist = rng.gamma(2.0, 4.0, n)                                # km to the centre
    floor = rng.integers(0, 12, n).astype(float)
    garden = (rng.random(n) < 0.35).astype(float)
    renovated = (rng.random(n) < 0.3).astype(float)
    log_price = (np.log(4200) + 0.9 * np.log(area) + 0.04 * rooms - 0.004 * age + 0.0015 * (age - 60) ** 2 / 60
                 - 0.35 * np.log1p(dist) + 0.01 * floor + 0.08 * garden + 0.12 * renovated * (age > 40)
                 + rng.normal(0, 0.12, n))
    price = np.exp(log_price)
    # 1% data-entry outliers (a digit too many or too few): the reason for Huber
    bad = rng.random(n) < 0.01
    price[bad] *= rng.choice([0.1, 10.0], bad.sum())
    X = np.c_[area, rooms, age, dist, floor, garden, renovated]
    return X.astype(np.float32), price


def setup():
    rng = np.random.default_rng(31)
    X, price = make_listings(3500, rng)
    X_tr, X_va, p_tr, p_va = X[:2800], X[2800:], price[:2800], price[2800:]
    cont = slice(0, 5)
    mu, sd = X_tr[:, cont].mean(0), X_tr[:, cont].std(0)
    X_tr[:, cont] = (X_tr[:, cont] - mu) / sd
    X_va[:, cont] = (X_va[:, cont] - mu) / sd
    y_mu, y_sd = np.log(p_tr).mean(), np.log(p_tr).std()
    y_tr = torch.tensor((np.log(p_tr) - y_mu) / y_sd, dtype=torch.float32).unsqueeze(1)
    y_va = torch.tensor((np.log(p_va) - y_mu) / y_sd, dtype=torch.float32).unsqueeze(1)

    torch.manual_seed(31)
    model = nn.Sequential(nn.Linear(7, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), y_tr),
        val=(torch.from_numpy(X_va), y_va),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
