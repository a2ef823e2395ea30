"""Checkup spec: flow-regime classification from clamp-on ultrasonic flow-meter bursts.

Each sample is a 128-point transit-time difference trace recorded over one burst on a
process pipe; the regime (laminar, transitional, turbulent, gas-entrained slug) decides
which meter correction curve to apply. Small 1-D CNN, Adam.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

REGIMES = ["laminar", "transitional", "turbulent", "slug"]


def make_traces(n, rng):
    t = np.linspace(0, 1, 128)
    y = rng.integers(0, 4, n)
    X = np.empty((n, 1, 128), np.float32)
    for i, r in enumerate(y):
        base = rng.normal(0, 0.15) + rng.normal(1.0, 0.1) * np.sin(2 * np.pi * rng.uniform(0.5, 1.5) * t)
        if r == 0:
            sig = base + rng.normal(0, rng.uniform(0.05, 0.19), 128)
        elif r == 1:
            f = rng.uniform(6, 10)
            sig = base + rng.uniform(0.12, 0.35) * np.sin(2 * np.pi * f * t + rng.uniform(0, 6)) * (t > rng.uniform(0.2, 0.7)) + rng.normal(0, rng.uniform(0.08, 0.22), 128)
        elif r == 2:
            sig = base + rng.normal(0, rng.uniform(0.17, 0.4), 128)
        else:
            sig = base + rng.normal(0, rng.uniform(0.05, 0.19), 128)
            for _ in range(rng.integers(1, 4)):
                c = rng.integers(10, 118)
                sig[c - 3:c + 3] -= rng.uniform(0.3, 0.9)
        X[i, 0] = sig
    return X, y


class BurstCNN(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        )
        self.head = nn.Sequential(nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, n_classes))

    def forward(self, x):
        return self.head(self.features(x))


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = make_traces(1400, rng)
    mu, sd = X[:1000].mean(), X[:1000].std()
    X = (X - mu) / sd
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    return nndoctor.Setup(
        model=BurstCNN(),
        train=(Xt[:1000], yt[:1000]),
        val=(Xt[1000:], yt[1000:]),
        loss=nn.NLLLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=2e-3),
        batch_size=32,
    )
