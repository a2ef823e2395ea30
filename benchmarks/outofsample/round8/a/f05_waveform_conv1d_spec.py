"""Checkup spec: waveform-shape classifier (sine / square / sawtooth / triangle / chirp).

Synthetic 1-D signals, 128 samples each, random frequency, phase, amplitude and noise.
A small 1-D conv net with BatchNorm and global average pooling, trained with Adam.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

L = 128


def make_waves(n, rng):
    t = np.linspace(0, 1, L, endpoint=False)
    y = rng.integers(0, 5, size=n)
    f = rng.uniform(2, 8, size=(n, 1))
    ph = rng.uniform(0, 2 * np.pi, size=(n, 1))
    a = rng.uniform(0.5, 1.5, size=(n, 1))
    arg = 2 * np.pi * f * t + ph
    frac = (arg / (2 * np.pi)) % 1.0
    waves = np.stack([
        np.sin(arg),
        np.sign(np.sin(arg)),
        2 * frac - 1,
        2 * np.abs(2 * frac - 1) - 1,
        np.sin(2 * np.pi * (f * t + 6 * t ** 2) + ph),
    ], axis=1)                                              # (n, 5, L)
    x = a * waves[np.arange(n), y] + rng.normal(0, 0.3, size=(n, L))
    return x[:, None, :].astype(np.float32), y.astype(np.int64)


def conv_net():
    def blk(ci, co):
        return nn.Sequential(nn.Conv1d(ci, co, 5, padding=2), nn.BatchNorm1d(co), nn.ReLU(), nn.MaxPool1d(2))
    return nn.Sequential(blk(1, 16), blk(16, 32), blk(32, 64),
                         nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(64, 5))


def setup():
    torch.manual_seed(2)
    rng = np.random.default_rng(2)
    X, y = make_waves(3000, rng)
    return nndoctor.Setup(
        model=conv_net(),
        train=(torch.from_numpy(X[:2400]), torch.from_numpy(y[:2400])),
        val=(torch.from_numpy(X[2400:]), torch.from_numpy(y[2400:])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=1e-3, eps=1.0),
        batch_size=32,
    )
