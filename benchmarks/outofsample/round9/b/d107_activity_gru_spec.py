"""Checkup spec: human-activity recognition from 3-axis accelerometer windows with a GRU.

Recordings are simulated per session (each session: a wearer with their own gait
frequency, sensor tilt and noise floor); 8 sessions for training, 2 held out.
Classes: idle, walk, run, stairs.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SEED = 17
T = 40
FS = 20.0


def record_session(rng, n_windows):
    tilt = rng.normal(0, 0.3, 3)
    cadence = rng.uniform(0.8, 1.2)
    noise = rng.uniform(0.15, 0.35)
    t = np.arange(T) / FS
    X = np.empty((n_windows, T, 3), dtype=np.float32)
    y = rng.integers(0, 4, n_windows)
    for i, c in enumerate(y):
        ph = rng.uniform(0, 2 * np.pi)
        f = cadence * [0.0, 1.8, 2.8, 1.5][c] * rng.uniform(0.9, 1.1)
        amp = [0.05, 0.5, 1.1, 0.6][c] * rng.uniform(0.8, 1.2)
        sig = np.stack([
            amp * np.sin(2 * np.pi * f * t + ph),
            0.6 * amp * np.sin(4 * np.pi * f * t + ph + 0.5),
            amp * (0.8 if c == 3 else 0.3) * np.sin(2 * np.pi * f * t + ph + 1.2) + (0.25 if c == 3 else 0.0),
        ], axis=1)
        X[i] = sig + tilt + rng.normal(0, noise, (T, 3))
    return X, y


class GRUClassifier(nn.Module):
    def __init__(self, n_in=3, hidden=48, n_classes=4):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.LayerNorm(hidden), nn.Linear(hidden, n_classes))

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out.mean(dim=1))


def setup():
    torch.manual_seed(SEED)
    parts = [record_session(np.random.default_rng(SEED), 150) for s in range(8)]
    X_tr = np.concatenate([p[0] for p in parts])
    y_tr = np.concatenate([p[1] for p in parts])
    vparts = [record_session(np.random.default_rng(SEED + 1000 + s), 150) for s in range(2)]
    X_va = np.concatenate([p[0] for p in vparts])
    y_va = np.concatenate([p[1] for p in vparts])
    return nndoctor.Setup(
        model=GRUClassifier(),
        train=(torch.tensor(X_tr), torch.tensor(y_tr)),
        val=(torch.tensor(X_va), torch.tensor(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=32,
    )
