"""Gearbox condition monitoring: classify 2-axis accelerometer snippets as
healthy / worn bearing / chipped tooth with a small GRU.

Recordings come from three measurement campaigns, one per condition, and are
stored campaign by campaign.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

T = 48


def campaign(kind, n, rng):
    t = np.arange(T) / 200.0
    base = rng.uniform(9.0, 13.0, size=(n, 1))            # shaft frequency in Hz, jittered
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    x = np.sin(2 * np.pi * base * t + phase)
    y = 0.6 * np.cos(2 * np.pi * base * t + phase)
    if kind == 1:      # worn bearing: weak broadband component at ~3.1x shaft speed
        amp = rng.uniform(0.3, 0.7, size=(n, 1))
        x = x + amp * np.sin(2 * np.pi * 3.1 * base * t)
    elif kind == 2:    # chipped tooth: a short impulse once per revolution on the y axis
        amp = rng.uniform(0.6, 1.2, size=(n, 1))
        y = y + amp * (np.sin(2 * np.pi * base * t + phase) > 0.97)
    sig = np.stack([x, y], axis=-1) + rng.normal(0, 0.25, size=(n, T, 2))
    return sig.astype(np.float32), np.full(n, kind, dtype=np.int64)


def load_recordings(seed=0):
    rng = np.random.default_rng(seed)
    parts = [campaign(k, n, rng) for k, n in [(0, 700), (1, 600), (2, 500)]]
    X = np.concatenate([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    return torch.from_numpy(X), torch.from_numpy(y)


class GRUClassifier(nn.Module):
    def __init__(self, n_in=2, hidden=48, n_classes=3):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1])


def setup():
    torch.manual_seed(0)
    X, y = load_recordings()
    n_val = len(X) // 4
    idx = torch.arange(len(X))
    tr, va = idx[:-n_val], idx[-n_val:]
    return nndoctor.Setup(
        model=GRUClassifier(),
        train=(X[tr], y[tr]),
        val=(X[va], y[va]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=3e-3),
        batch_size=64,
    )
