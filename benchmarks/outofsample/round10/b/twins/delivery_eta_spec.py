"""Checkup spec: last-mile delivery time (minutes) per order, across 24 dispatch hubs."""
import numpy as np
import torch
from torch import nn
import nndoctor

N_HUBS = 24


def orders(n, seed=4):
    rng = np.random.default_rng(seed)
    hub = rng.integers(0, N_HUBS, n)
    hub_delay = np.random.default_rng(99).normal(0, 9, N_HUBS)     # per-hub congestion, minutes
    dist = rng.gamma(2.0, 2.2, n)
    items = rng.poisson(4, n) + 1
    hour = rng.integers(8, 22, n)
    rush = ((hour >= 11) & (hour <= 13)) | ((hour >= 17) & (hour <= 19))
    rain = rng.random(n) < 0.2
    minutes = (14 + 3.1 * dist + 0.8 * items + 7 * rush + 6 * rain * (1 + dist / 5)
               + hub_delay[hub] + rng.normal(0, 3, n))
    num = np.column_stack([dist, items, hour]).astype(np.float32)
    flags = np.column_stack([rush, rain]).astype(np.float32)
    return num, flags, hub, minutes.astype(np.float32)


def setup():
    torch.manual_seed(0)
    num, flags, hub, minutes = orders(3000)
    n_tr = 2400
    X_cont = num
    X_bin = np.column_stack([flags, np.eye(N_HUBS)[hub]])
    mu, sd = X_cont[:n_tr].mean(0), X_cont[:n_tr].std(0)
    X = np.column_stack([(X_cont - mu) / sd, X_bin]).astype(np.float32)
    y = (minutes - minutes[:n_tr].mean()) / minutes[:n_tr].std()
    X, y = torch.from_numpy(X), torch.from_numpy(y).unsqueeze(1)
    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
