import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def readings(n=1600, length=48, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    centre = np.where(y == 1, rng.uniform(6, 20, n), rng.uniform(28, 42, n))
    t = np.arange(length)
    bump = np.exp(-0.5 * ((t[None, :] - centre[:, None]) / 2.5) ** 2)
    x = bump * rng.uniform(1.0, 2.0, (n, 1)) + 0.4 * rng.standard_normal((n, length))
    return x.astype(np.float32), y.astype(np.float32)


class EventNet(nn.Module):
    def __init__(self, channels=32):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(1, channels, 5, padding=2), nn.ReLU(),
            nn.Conv1d(channels, channels, 5, padding=2), nn.ReLU(),
        )
        self.pool = nn.MaxPool1d(4)
        self.head = nn.Linear(channels * 12, 1)

    def forward(self, x):
        h = self.conv(x.unsqueeze(1))
        return self.head(self.pool(h).flatten(1)).squeeze(-1)


def setup():
    X, y = readings()
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=EventNet(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )
