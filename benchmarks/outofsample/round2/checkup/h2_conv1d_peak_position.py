import numpy as np
import torch
from torch import nn

import nndoctor


def bump_signals(n, length, seed):
    """A Gaussian bump of random width and height on a drifting baseline; target = the bump's centre."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    centre = rng.uniform(8, length - 8, n)
    width = rng.uniform(1.5, 4.0, n)
    height = rng.uniform(0.8, 2.0, n)
    drift = rng.normal(0, 0.3, (n, 1)) * (t / length)
    x = height[:, None] * np.exp(-0.5 * ((t - centre[:, None]) / width[:, None]) ** 2) + drift
    x += rng.normal(0, 0.15, (n, length))
    return x[:, None, :].astype(np.float32), centre


class PeakRegressor(nn.Module):
    def __init__(self, length=64):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 5, padding=2), nn.ReLU(),
            nn.Conv1d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool1d(2),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(32 * (length // 4), 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x):
        return self.head(self.features(x))


def setup():
    X_train, c_train = bump_signals(2400, 64, seed=201)
    X_val, c_val = bump_signals(600, 64, seed=202)
    m, s = c_train.mean(), c_train.std()
    y_train = ((c_train - m) / s).reshape(-1, 1).astype(np.float32)
    y_val = ((c_val - m) / s).reshape(-1, 1).astype(np.float32)
    torch.manual_seed(12)
    return nndoctor.Setup(
        model=PeakRegressor(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
