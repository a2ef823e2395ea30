"""Clay-pigeon trap throws: grade each throw from the throwing arm's motor trace (checkup spec).

An automatic trap logs motor current and arm angle at 1 kHz over the 80 ms of a throw.
Range staff graded throws as clean, weak spring, wobbling target or near-jam. A short conv front end
feeds a GRU that reads the whole trace; label smoothing because the graders disagree on borderline throws.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

STEPS = 80


def throws(n, seed):
    rng = np.random.default_rng(seed)
    grade = rng.integers(0, 4, n)
    t = np.linspace(0, 1, STEPS)[None]
    k = np.array([9.0, 6.5, 9.0, 8.0])[grade][:, None] * rng.uniform(0.85, 1.15, (n, 1))
    angle = 1 - np.exp(-k * t)
    current = np.exp(-((t - 0.15) / 0.08) ** 2) * np.array([1.0, 0.8, 1.0, 1.15])[grade][:, None]
    wob = (grade == 2)[:, None] * 0.25 * np.sin(2 * np.pi * rng.uniform(6, 10, (n, 1)) * t) * t
    jam_at = rng.uniform(0.4, 0.8, (n, 1))
    jam = (grade == 3)[:, None] * 0.5 * np.exp(-((t - jam_at) / 0.03) ** 2)
    angle = angle + wob + rng.normal(0, 0.03, (n, STEPS))
    current = current + jam + rng.normal(0, 0.08, (n, STEPS))
    X = np.stack([angle * 2 - 1, current * 2 - 0.5], axis=2).astype(np.float32)
    return X, grade.astype(np.int64)


class ThrowGRU(nn.Module):
    def __init__(self, hidden=32, n_classes=4):
        super().__init__()
        self.front = nn.Conv1d(2, 16, kernel_size=5, padding=2)
        self.gru = nn.GRU(16, hidden, batch_first=True)
        self.out = nn.Linear(2 * hidden, n_classes)

    def forward(self, x):
        z = torch.relu(self.front(x.transpose(1, 2))).transpose(1, 2)
        seq, h = self.gru(z)
        return self.out(torch.cat([h[-1], seq.max(dim=1).values], dim=1))


def setup():
    torch.manual_seed(1)
    X, y = throws(1200, seed=6)
    return nndoctor.Setup(
        model=ThrowGRU(),
        train=(torch.from_numpy(X[:960]), torch.from_numpy(y[:960])),
        val=(torch.from_numpy(X[960:]), torch.from_numpy(y[960:])),
        loss=nn.CrossEntropyLoss(label_smoothing=0.1),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )
