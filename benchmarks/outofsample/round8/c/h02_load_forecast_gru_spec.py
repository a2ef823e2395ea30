"""Checkup spec: next-hour load forecaster. A GRU reads the last 48 hours of a generated
load series (daily + weekly seasonality, trend, noise) plus two calendar features and
predicts the next hour. The series is standardised with training-period statistics, the
split is in time (train first, validation after a 48-hour gap), Huber loss, cosine schedule."""
import math

import numpy as np
import torch
from torch import nn

import nndoctor

WINDOW = 48


def load_series(hours=24 * 7 * 40, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(hours)
    load = (500 + 0.002 * t + 80 * np.sin(2 * np.pi * t / 24 - 1.0) + 40 * np.sin(2 * np.pi * t / 168)
            + 15 * np.sin(4 * np.pi * t / 24) + rng.normal(0, 12, hours))
    for _ in range(hours // 200):                              # occasional demand events
        s = rng.integers(0, hours - 6)
        load[s:s + 6] += rng.normal(60, 15)
    return t, load


def windows(z, t, idx):
    X = np.stack([np.stack([z[i - WINDOW:i],
                            np.sin(2 * np.pi * t[i - WINDOW:i] / 24),
                            np.cos(2 * np.pi * t[i - WINDOW:i] / 168)], -1) for i in idx])
    return torch.tensor(X, dtype=torch.float32), torch.tensor(z[idx], dtype=torch.float32).unsqueeze(1)


class GRUForecaster(nn.Module):
    def __init__(self, n_in=3, hidden=64):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, num_layers=2, batch_first=True, dropout=0.1)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])


def setup():
    torch.manual_seed(0)
    t, load = load_series()
    cut = int(len(load) * 0.8)
    mu, sd = load[:cut].mean(), load[:cut].std()
    z = (load - mu) / sd
    train = windows(z, t, np.arange(WINDOW, cut))
    val = windows(z, t, np.arange(cut + WINDOW, len(z)))
    return nndoctor.Setup(
        model=GRUForecaster(),
        train=train,
        val=val,
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        scheduler=lambda opt, steps: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=1e-5),
        batch_size=128,
    )
