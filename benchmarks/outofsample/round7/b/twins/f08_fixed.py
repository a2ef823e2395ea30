"""Checkup spec: activity recognition from a wrist IMU (3-axis accelerometer).

Recordings are 2 s windows at 32 Hz of one of five activities (idle, walking,
running, stairs, cycling). The simulator below stands in for the lab's capture
rig: each activity has its own cadence, amplitude and axis mix. Windows are
normalised per axis with training statistics; a GRU reads the window.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

ACTIVITIES = ["idle", "walking", "running", "stairs", "cycling"]
T = 64


def simulate_windows(n, rng):
    t = np.arange(T) / 32.0
    cadence = np.array([0.0, 1.8, 2.8, 1.4, 1.2])              # Hz
    amp = np.array([0.05, 0.6, 1.5, 0.8, 0.4])                 # g
    axis_mix = np.array([[1, 1, 1], [0.3, 1.0, 0.5], [0.4, 1.0, 0.8],
                         [1.0, 0.6, 0.9], [0.9, 0.2, 0.3]])
    y = rng.integers(0, len(ACTIVITIES), size=n)
    X = np.empty((n, T, 3), dtype=np.float32)
    for i, c in enumerate(y):
        f = cadence[c] * rng.uniform(0.85, 1.15)
        phase = rng.uniform(0, 2 * np.pi, size=3)
        base = np.sin(2 * np.pi * f * t[:, None] + phase)
        if c == 3:                                             # stairs: a harder heel strike
            base = base + 0.5 * np.sin(4 * np.pi * f * t[:, None] + phase) ** 3
        sig = amp[c] * rng.uniform(0.8, 1.2) * axis_mix[c] * base
        gravity = np.array([0.0, 0.0, 1.0]) + rng.normal(0, 0.15, size=3)
        X[i] = sig + gravity + rng.normal(0, 0.12, size=(T, 3))
    return X, y


class IMUClassifier(nn.Module):
    def __init__(self, hidden=48, n_classes=len(ACTIVITIES)):
        super().__init__()
        self.gru = nn.GRU(3, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out.mean(dim=1))


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(21)
    X, y = simulate_windows(2400, rng)

    # recordings come grouped by session; shuffle them before splitting
    order = rng.permutation(len(X))
    X, y = X[order], y[order]

    n_train = 1900
    X_tr, X_va, y_tr, y_va = X[:n_train], X[n_train:], y[:n_train], y[n_train:]
    mean, std = X_tr.mean(axis=(0, 1)), X_tr.std(axis=(0, 1))
    X_tr, X_va = (X_tr - mean) / std, (X_va - mean) / std
    return nndoctor.Setup(
        model=IMUClassifier(),
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=64,
    )
