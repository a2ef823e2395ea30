"""Steel-pan workshop: sort struck notes by tuning fault from the microphone envelope.

Each note is struck by a robot mallet and 256 samples of the band-passed signal around the
fundamental are kept. Classes: in tune, octave partial flat, octave partial sharp, buzzing
(a loose note rattles against its neighbour). A small 1-D CNN with BatchNorm and global
average pooling, label smoothing, SGD with Nesterov momentum under a one-cycle schedule.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_T = 256


def _strikes(n, rng):
    y = rng.integers(0, 4, n)
    t = np.arange(N_T) / N_T
    X = np.empty((n, 1, N_T), np.float32)
    for i, c in enumerate(y):
        f0 = rng.uniform(9, 13)
        decay = rng.uniform(2.5, 4.5)
        ratio = 2.0 + {0: 0.0, 1: -0.06, 2: 0.06, 3: 0.0}[c] + rng.normal(0, 0.012)
        sig = np.exp(-decay * t) * (np.sin(2 * np.pi * f0 * t) + 0.6 * np.sin(2 * np.pi * f0 * ratio * t))
        if c == 3:
            rattle = (rng.random(N_T) < 0.12) * rng.normal(0, 0.5, N_T)
            sig += rattle * np.exp(-decay * t)
        X[i, 0] = sig * rng.uniform(0.7, 1.3) + rng.normal(0, 0.08, N_T)
    return X, y


class PanNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 9, padding=4), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 9, padding=4), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 9, padding=4), nn.BatchNorm1d(32), nn.ReLU(),
        )
        self.head = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.head(self.features(x).mean(-1))


def setup():
    rng = np.random.default_rng(8)
    torch.manual_seed(8)
    X, y = _strikes(2000, rng)
    X = X / X[:1600].std()
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    return nndoctor.Setup(
        model=PanNet(),
        train=(X[:1600], y[:1600]),
        val=(X[1600:], y[1600:]),
        loss=nn.CrossEntropyLoss(label_smoothing=0.1),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4),
        scheduler=lambda opt, steps: torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=steps),
        batch_size=32,
    )
