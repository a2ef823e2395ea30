"""Checkup spec: classify 2-D pen trajectories (circle, spiral, zig-zag, figure-eight, line)
sampled at 40 time steps, with random scale, rotation, speed and sensor noise.

Bidirectional GRU encoder, mean-pooled over time, label-smoothed cross-entropy, AdamW.
Inputs are per-channel standardised with training statistics.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

T = 40


def trajectories(n, rng):
    y = rng.integers(0, 5, size=n)
    s = np.linspace(0, 1, T)[None, :] ** rng.uniform(0.7, 1.4, size=(n, 1))     # uneven pen speed
    th = 2 * np.pi * s
    shapes = np.stack([
        np.stack([np.cos(th), np.sin(th)], -1),
        np.stack([s * np.cos(2 * th), s * np.sin(2 * th)], -1),
        np.stack([2 * s - 1, np.abs(((4 * s) % 2) - 1) * 2 - 1], -1),
        np.stack([np.sin(th), np.sin(th) * np.cos(th)], -1),
        np.stack([2 * s - 1, 0.3 * (2 * s - 1)], -1),
    ], 1)                                                      # (n, 5, T, 2)
    xy = shapes[np.arange(n), y]
    a = rng.uniform(0, 2 * np.pi, size=n)
    rot = np.stack([np.stack([np.cos(a), -np.sin(a)], -1), np.stack([np.sin(a), np.cos(a)], -1)], -2)
    xy = np.einsum("nij,ntj->nti", rot, xy) * rng.uniform(0.5, 2.0, size=(n, 1, 1))
    xy += rng.normal(0, 0.45, size=xy.shape)
    return xy.astype(np.float32), y.astype(np.int64)


class TrajectoryGRU(nn.Module):
    def __init__(self, hidden=48, n_classes=5):
        super().__init__()
        self.gru = nn.GRU(2, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Sequential(nn.LayerNorm(2 * hidden), nn.Linear(2 * hidden, n_classes))

    def forward(self, x):
        h, _ = self.gru(x)
        return self.head(h.mean(1))


def setup():
    torch.manual_seed(8)
    rng = np.random.default_rng(8)
    X, y = trajectories(2500, rng)
    Xtr, Xva, ytr, yva = X[:2000], X[2000:], y[:2000], y[2000:]
    mu, sd = Xtr.reshape(-1, 2).mean(0), Xtr.reshape(-1, 2).std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    return nndoctor.Setup(
        model=TrajectoryGRU(),
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(label_smoothing=0.1),
        optimizer=lambda p: torch.optim.AdamW(p, lr=3e-3, weight_decay=1e-2),
        batch_size=64,
    )
