"""Seed bank: flag accessions whose stored seed lots are losing viability.

One row per accession lot at its scheduled germination test: years in storage, seed moisture
content, storage temperature log statistics, seed mass, oil content, initial germination and
the last test's germination. Label: 0 viable, 1 declining (regeneration soon), 2 failed
(regenerate now). Most lots in a well-run bank are viable.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def load_lots(n=3000, seed=21):
    rng = np.random.default_rng(seed)
    years = rng.uniform(1, 40, n)
    moisture = rng.normal(6.0, 1.2, n).clip(3, 11)             # % fresh weight
    temp_mean = rng.normal(-18, 1.5, n)                         # deg C
    temp_excursions = rng.poisson(0.6, n).astype(float)         # alarms per decade
    mass = rng.lognormal(1.0, 0.8, n)                           # mg per seed
    oil = rng.beta(2, 6, n) * 50                                # % oil
    g0 = rng.normal(95, 3, n).clip(70, 100)
    # Ellis-Roberts style viability loss: faster with moisture, temperature, oil
    k = 0.012 * np.exp(0.25 * (moisture - 6) + 0.10 * (temp_mean + 18) + 0.035 * (oil - 12)) * (1 + 0.3 * temp_excursions)
    probit = 2.2 - k * years + rng.normal(0, 0.18, n)
    last_test = (g0 * (0.5 + 0.5 * np.tanh(probit)) + rng.normal(0, 3, n)).clip(0, 100)
    y = np.where(probit > 1.45, 0, np.where(probit > 1.25, 1, 2))
    X = np.stack([years, moisture, temp_mean, temp_excursions, np.log(mass), oil, g0, last_test], 1)
    return X.astype(np.float32), y.astype(np.int64)


def setup():
    torch.manual_seed(0)
    X, y = load_lots()
    Xtr, ytr, Xva, yva = X[:2400], y[:2400], X[2400:], y[2400:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 3),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(weight=torch.tensor(len(ytr) / (3 * np.bincount(ytr)), dtype=torch.float32)),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
