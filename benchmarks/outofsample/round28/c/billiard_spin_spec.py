"""Snooker training rig: classify the spin a player put on the cue ball.

A ceiling camera tracks the cue ball for 20 frames after it contacts the object
ball, until it comes to rest. Per frame: velocity along / across the shot line,
and speed. Classes: stun, follow, draw, left side, right side.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

T, F, C = 20, 3, 5


def simulate(n, rng):
    X = np.zeros((n, T, F), np.float32)
    y = rng.integers(0, C, n)
    t = np.arange(T) / T
    for i in range(n):
        v0 = rng.uniform(0.6, 1.4)
        spin = rng.uniform(0.5, 1.0)
        decay = np.exp(-rng.uniform(3, 5) * t)
        if y[i] == 0:
            va, vc = 0.1 * v0 * decay ** 3, 0 * t
        elif y[i] == 1:
            va, vc = spin * v0 * decay, 0 * t
        elif y[i] == 2:
            va, vc = -spin * v0 * decay, 0 * t
        else:
            side = -1 if y[i] == 3 else 1
            va, vc = 0.5 * v0 * decay, side * spin * v0 * t * decay * 2.5
        va = va + rng.normal(0, 0.08, T)
        vc = vc + rng.normal(0, 0.08, T)
        speed = np.hypot(va, vc)
        X[i] = np.stack([va, vc, speed], 1)
    return X, y


class SpinClassifier(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.lstm = nn.LSTM(F, hidden, num_layers=1)
        self.head = nn.Linear(hidden, C)

    def forward(self, x):                      # x: (batch, frames, features)
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def setup():
    torch.manual_seed(3)
    rng = np.random.default_rng(3)
    X, y = simulate(1200, rng)
    X = torch.tensor(X)
    y = torch.tensor(y)
    return nndoctor.Setup(
        model=SpinClassifier(),
        train=(X[:900], y[:900]),
        val=(X[900:], y[900:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )
