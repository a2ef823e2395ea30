"""Terrain under a stilt walker from the stilt's strap-on IMU (checkup spec).

Street-theatre stilt walkers wear a small IMU on each stilt; 160 samples (8 s at 20 Hz) of
vertical acceleration and pitch rate. Terrain class: tarmac, cobbles, grass, sand. The class
shows in the step rhythm and impact shape over the whole window, so a GRU reads the full
sequence (after a strided conv front-end) and classifies from its last hidden state.
Deliberately small (hidden 32).
"""
import numpy as np
import torch
from torch import nn

import nndoctor

TERRAINS = ["tarmac", "cobbles", "grass", "sand"]
T = 160


def walk(n, rng):
    y = rng.integers(0, 4, n)
    t = np.arange(T) / 20.0
    X = np.zeros((n, T, 2), np.float32)
    for i in range(n):
        cad = rng.normal([0.95, 0.85, 0.8, 0.65][y[i]], 0.12)         # steps per second
        jitter = [0.02, 0.12, 0.06, 0.1][y[i]]
        phase = np.cumsum(2 * np.pi * cad * (1 + rng.normal(0, jitter, T)) / 20.0)
        impact = np.clip(np.sin(phase), 0, None) ** [6, 3, 2, 1.5][y[i]]
        acc = [1.0, 1.2, 0.7, 0.5][y[i]] * impact
        if y[i] == 1:
            acc += 0.25 * rng.normal(0, 1, T) * impact
        if y[i] == 3:
            acc += 0.3 * np.sin(phase / 2) * rng.uniform(0.5, 1.0)
        pitch = np.cos(phase) * rng.uniform(0.4, 0.8) + 0.1 * rng.normal(0, 1, T).cumsum() / 10
        X[i, :, 0] = acc + rng.normal(0, 0.3, T)
        X[i, :, 1] = pitch + rng.normal(0, 0.2, T)
    return X, y.astype(np.int64)


class TerrainGRU(nn.Module):
    def __init__(self, hidden=32, n_classes=4):
        super().__init__()
        self.front = nn.Sequential(nn.Conv1d(2, 16, 5, stride=2, padding=2), nn.ReLU())
        self.gru = nn.GRU(16, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, x):
        z = self.front(x.transpose(1, 2)).transpose(1, 2)     # (B, T/2, 16)
        _, h = self.gru(z)
        return self.out(h[-1])


def setup():
    rng = np.random.default_rng(404)
    torch.manual_seed(404)
    X, y = walk(1600, rng)
    Xtr, ytr, Xva, yva = X[:1200], y[:1200], X[1200:], y[1200:]
    mu, sd = Xtr.mean((0, 1)), Xtr.std((0, 1))
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    return nndoctor.Setup(
        model=TerrainGRU(),
        train=(torch.tensor(Xtr), torch.tensor(ytr)),
        val=(torch.tensor(Xva), torch.tensor(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=3e-3),
        batch_size=32,
    )
