"""Paper-mill web breaks: will the sheet break in the next 10 minutes?

Input: the last 80 one-second readings of 5 press/dryer sensors (draw
tension, headbox consistency, press nip load, dryer steam pressure, sheet
moisture), standardised per channel. Breaks are rare (about 1 window in 9),
so the cross-entropy is class-weighted by inverse frequency; a GRU reads the
whole window.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

T, C = 80, 5


def make_windows(n, seed=8):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.11).astype(np.int64)
    t = np.arange(T)
    X = np.zeros((n, T, C), dtype=np.float32)
    for i in range(n):
        base = rng.normal(0, 1, C)
        walk = np.cumsum(rng.normal(0, 0.08, (T, C)), 0)
        x = base + walk + rng.normal(0, 0.3, (T, C))
        x[:, 0] += 0.4 * np.sin(2 * np.pi * t / rng.uniform(8, 20))          # tension hunting
        if y[i] == 1:
            onset = rng.integers(30, 65)
            ramp = np.clip((t - onset) / 25.0, 0, None)
            x[:, 0] += ramp * rng.uniform(0.5, 1.0) * np.sin(2 * np.pi * t / rng.uniform(4, 7))
            x[:, 4] -= ramp * rng.uniform(0.2, 0.6)                        # wet streak
        elif rng.random() < 0.2:                                             # harmless grade change
            x[rng.integers(30, 70):, 3] += rng.uniform(0.8, 1.5)
        elif rng.random() < 0.15:                                            # hunting that settles
            x[:, 0] += 0.4 * np.exp(-((t - rng.integers(20, 70)) / 12.0) ** 2) * np.sin(2 * np.pi * t / 5.5)
        X[i] = x
    return X, y


class BreakGRU(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.gru = nn.GRU(C, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 2))

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1])


def setup():
    torch.manual_seed(0)
    X, y = make_windows(2000)
    mu, sd = X[:1600].mean((0, 1)), X[:1600].std((0, 1))
    X = torch.tensor((X - mu) / sd)
    y = torch.tensor(y)
    counts = torch.bincount(y[:1600], minlength=2).float()
    weights = counts.sum() / (2 * counts)
    return nndoctor.Setup(
        model=BreakGRU(),
        train=(X[:1600], y[:1600]),
        val=(X[1600:], y[1600:]),
        loss=nn.CrossEntropyLoss(weight=weights),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=64,
    )
