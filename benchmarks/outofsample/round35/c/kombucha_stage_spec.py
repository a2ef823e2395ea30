"""Kombucha brewery: call the fermentation stage of each vessel from its daily readings.

Readings: pH, residual sugar (Brix), vessel temperature, days since inoculation, SCOBY
thickness, dissolved CO2, surface-film opacity, plus the tea base as a one-hot (black, green,
oolong: left as 0/1 columns). Stages: still fermenting, ready to bottle, over-fermented
(vinegar), contaminated (mould). Mould is rare, so the loss is class-weighted and the output
bias starts at the log class prior; the network is deliberately small (the model ships to
the vessel controllers).
"""
import numpy as np
import torch
from torch import nn

import nndoctor

STAGES = ["fermenting", "ready", "vinegar", "mould"]
SHARES = [0.46, 0.30, 0.17, 0.07]


def make_readings(n, rng):
    y = rng.choice(4, size=n, p=SHARES)
    days = np.where(y == 0, rng.uniform(2, 9, n), np.where(y == 1, rng.uniform(7, 13, n), rng.uniform(10, 24, n)))
    days = np.where(y == 3, rng.uniform(3, 15, n), days)
    temp = rng.normal(25, 1.5, n)
    tea = rng.integers(0, 3, n)
    rate = (1 + 0.08 * (temp - 25)) * np.array([1.0, 0.85, 0.92])[tea]
    ph = 4.4 - 0.13 * days * rate + rng.normal(0, 0.12, n)
    ph = np.where(y == 3, ph + rng.choice([-1.0, 1.0], n) * rng.uniform(0.25, 0.6, n), ph)
    brix = 9.0 - 0.45 * days * rate + rng.normal(0, 0.5, n)
    scoby = 1.5 + 0.35 * days + rng.normal(0, 0.6, n)
    co2 = np.clip(0.2 + 0.15 * days - 0.006 * days ** 2 + rng.normal(0, 0.15, n), 0, None)
    opacity = rng.normal(0.3, 0.06, n) + np.where(y == 3, rng.choice([-1.0, 1.0], n) * rng.uniform(0.12, 0.25, n), 0.0)
    onehot = np.eye(3)[tea]
    cont = np.stack([ph, brix, temp, days, scoby, co2, opacity], 1)
    return cont.astype(np.float32), onehot.astype(np.float32), y


class StageNet(nn.Module):
    def __init__(self, n_in, n_classes, prior):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, 24), nn.ReLU(), nn.Linear(24, 24), nn.ReLU())
        self.head = nn.Linear(24, n_classes)
        with torch.no_grad():
            self.head.bias.copy_(torch.log(prior))

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    torch.manual_seed(13)
    rng = np.random.default_rng(13)
    cont, onehot, y = make_readings(2600, rng)
    tr, va = slice(0, 2000), slice(2000, None)
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([(cont - mu) / sd, onehot], 1).astype(np.float32)
    counts = np.bincount(y[tr], minlength=4)
    prior = torch.tensor(counts / counts.sum(), dtype=torch.float32)
    weights = torch.tensor(counts.sum() / (4 * counts), dtype=torch.float32)
    model = StageNet(X.shape[1], 4, prior)
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.CrossEntropyLoss(weight=weights),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=32,
    )
