"""Dune morphology from the site's wind regime (field survey of desert monitoring stations).

Each station gives a sand-drift-potential rose (36 direction bins from 3 years of anemometer
data), plus the sand-supply index and the vegetation cover seen from each bearing. The
surveyed dune type is the label: barchan, transverse, parabolic, linear (seif), star.
Circular 1-D CNN over the bearings, checkup spec.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

BINS = 36
TYPES = ["barchan", "transverse", "parabolic", "linear", "star"]


def _stations(n=2000, seed=5):
    rng = np.random.default_rng(seed)
    theta = np.arange(BINS) * 2 * np.pi / BINS
    y = rng.integers(0, len(TYPES), n)
    X = np.zeros((n, 3, BINS), np.float32)
    for i, c in enumerate(y):
        main = rng.uniform(0, 2 * np.pi)
        kappa = rng.uniform(2, 6)
        if c in (0, 1, 2):
            modes = [(main, 1.0)]
        elif c == 3:
            sep = rng.uniform(np.radians(95), np.radians(150))
            modes = [(main, 1.0), (main + sep, rng.uniform(0.6, 1.0))]
        else:
            k = rng.integers(3, 5)
            modes = [(main + j * 2 * np.pi / k + rng.normal(0, 0.3), rng.uniform(0.5, 1.0)) for j in range(k)]
        rose = sum(w * np.exp(kappa * (np.cos(theta - m) - 1)) for m, w in modes)
        rose = rose * rng.lognormal(np.log(300), 0.5) + rng.gamma(2, 8, BINS)
        supply = {0: 0.25, 1: 0.75, 2: 0.55, 3: 0.5, 4: 0.6}[c] + rng.normal(0, 0.12)
        veg = {0: 0.05, 1: 0.08, 2: 0.35, 3: 0.07, 4: 0.06}[c] + abs(rng.normal(0, 0.06))
        X[i, 0] = np.log1p(rose)
        X[i, 1] = supply + rng.normal(0, 0.05, BINS)
        X[i, 2] = veg * rng.lognormal(0, 0.3, BINS)
    return X, y


class RoseNet(nn.Module):
    def __init__(self, n_classes=len(TYPES)):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(3, 24, 5, padding=2, padding_mode="circular"), nn.ReLU(),
            nn.Conv1d(24, 32, 5, padding=2, padding_mode="circular"), nn.ReLU(),
            nn.Conv1d(32, 32, 5, padding=4, dilation=2, padding_mode="circular"), nn.ReLU(),
        )
        self.head = nn.Linear(64, n_classes)

    def forward(self, x):
        h = self.features(x)
        return self.head(torch.cat([h.amax(-1), h.mean(-1)], 1))


def setup():
    torch.manual_seed(5)
    X, y = _stations()
    tr, va = slice(0, 1600), slice(1600, None)
    mu = X[tr].mean(axis=(0, 2), keepdims=True)
    sd = X[tr].std(axis=(0, 2), keepdims=True)
    X = (X - mu) / sd
    return nndoctor.Setup(
        model=RoseNet(),
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3, eps=1.0),
        batch_size=50,
    )
