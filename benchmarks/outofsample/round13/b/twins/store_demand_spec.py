"""Daily demand per store: predict log units sold from store, weekday, promo, price and weather."""
import numpy as np
import torch
from torch import nn

import nndoctor

N_STORES, N_DAYS = 60, 7


def make_sales(n=5000, seed=11):
    rng = np.random.default_rng(seed)
    store_effect = rng.normal(0, 0.8, N_STORES)
    day_effect = np.array([-0.3, -0.4, -0.2, 0.0, 0.35, 0.9, 0.6])
    store = rng.integers(0, N_STORES, n)
    weekday = rng.integers(0, N_DAYS, n)
    promo = rng.binomial(1, 0.25, n)
    price = rng.uniform(2.0, 9.0, n)
    temp = rng.normal(18, 7, n)
    log_units = (store_effect[store] + day_effect[weekday] + 0.5 * promo
                 - 0.12 * (price - 5.5) - 0.02 * (temp - 18) ** 2 / 7
                 + rng.normal(0, 0.25, n))
    cont = np.stack([price, temp], 1).astype(np.float64)
    codes = np.stack([store, weekday], 1)
    return cont, promo[:, None].astype(np.float64), codes, log_units


def onehot(codes, sizes):
    return np.hstack([np.eye(k)[codes[:, j]] for j, k in enumerate(sizes)])


def setup():
    torch.manual_seed(0)
    cont, promo, codes, y = make_sales()
    n_tr = 4000
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    cont = (cont - mu) / sd
    cmu, csd = codes[:n_tr].mean(0), codes[:n_tr].std(0)
    cats = onehot(codes, (N_STORES, N_DAYS))
    X = np.hstack([cont, promo, cats]).astype(np.float32)
    y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
    y = ((y - y_mu) / y_sd).astype(np.float32)[:, None]

    model = nn.Sequential(
        nn.Linear(X.shape[1], 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])),
        loss=nn.MSELoss(),
        optimizer=lambda p: torch.optim.AdamW(p, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
