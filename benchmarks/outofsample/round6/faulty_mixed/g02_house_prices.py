"""Synthetic house-price regression (sale price in dollars) with an MLP."""
import numpy as np
import torch
from torch import nn
import nndoctor


def make_houses(n, rng):
    sqft = rng.lognormal(7.4, 0.35, n)              # living area
    beds = np.clip(np.round(sqft / 550 + rng.normal(0, 0.7, n)), 1, 7)
    age = rng.uniform(0, 90, n)
    lot = rng.lognormal(8.8, 0.5, n)
    dist = rng.gamma(2.0, 6.0, n)                   # km to city centre
    quality = rng.integers(1, 11, n).astype(float)
    price = (95 * sqft + 9000 * beds - 900 * age + 1.5 * lot - 4200 * dist
             + 14000 * quality + 30 * sqft * (quality > 7) + rng.normal(0, 25000, n) + 40000)
    X = np.stack([sqft, beds, age, np.log(lot), dist, quality], 1)
    return X, price


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(7)
    X, price = make_houses(1600, rng)
    ntr = 1280
    mu, sd = X[:ntr].mean(0), X[:ntr].std(0)
    X = (X - mu) / sd
    Xt = torch.tensor(X, dtype=torch.float32)
    yt = torch.tensor(price, dtype=torch.float32).unsqueeze(1)

    model = nn.Sequential(nn.Linear(6, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    return nndoctor.Setup(
        model=model,
        train=(Xt[:ntr], yt[:ntr]),
        val=(Xt[ntr:], yt[ntr:]),
        loss=nn.MSELoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=3e-3),
        batch_size=64,
    )
