"""Fermentation kinetics typing from CO2 release-rate traces (checkup spec).

Each sample is a 96-hour CO2 evolution-rate trace from one wine tank, logged hourly by
the cellar's flow meters. The winemaker's label says whether the tank fermented
fast, on schedule or sluggishly (3 classes). Traces differ in height, width and
baseline drift from tank to tank; the label follows when the main activity peaks.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SEED = 7
N_TANKS = 1500
HOURS = 96


def make_traces(n, rng):
    t = np.arange(HOURS, dtype=np.float64)
    kind = rng.integers(0, 3, size=n)
    centre = np.array([24.0, 46.0, 68.0])[kind] + rng.normal(0, 4.0, size=n)
    width = rng.uniform(6.0, 14.0, size=n)
    height = rng.lognormal(0.0, 0.5, size=n)
    drift = rng.normal(0, 0.004, size=n)
    base = rng.normal(0.15, 0.05, size=n)
    peak = height[:, None] * np.exp(-0.5 * ((t[None, :] - centre[:, None]) / width[:, None]) ** 2)
    # a smaller secondary bump (malolactic start) that can sit anywhere
    c2 = rng.uniform(10, 86, size=n)
    bump = 1.6 * height[:, None] * np.exp(-0.5 * ((t[None, :] - c2[:, None]) / 3.0) ** 2)
    x = base[:, None] + drift[:, None] * t[None, :] + peak + bump
    x = x + rng.normal(0, 0.06, size=x.shape)
    return x.astype(np.float32), kind.astype(np.int64)


class KineticsCNN(nn.Module):
    def __init__(self, n_classes=3, pool_len=1):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, kernel_size=7, padding=3), nn.BatchNorm1d(16), nn.ReLU(),
            nn.MaxPool1d(2),
            nn.Conv1d(16, 32, kernel_size=5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.MaxPool1d(2),
        )
        self.pool = nn.AdaptiveAvgPool1d(pool_len)
        self.head = nn.Sequential(
            nn.Linear(32 * pool_len, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, n_classes)
        )

    def forward(self, x):
        h = self.pool(self.features(x))
        return self.head(h.flatten(1))


def setup():
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    X, y = make_traces(N_TANKS, rng)
    n_tr = 1100
    mu, sd = X[:n_tr].mean(), X[:n_tr].std()
    X = ((X - mu) / sd)[:, None, :]
    model = KineticsCNN(n_classes=3, pool_len=12)
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
