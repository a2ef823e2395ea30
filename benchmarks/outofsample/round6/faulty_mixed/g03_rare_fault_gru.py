"""Fault detection on vibration traces with a GRU: 3 machine states (normal, bearing wear,
misalignment). Faulty machines are rare in the logged fleet data."""
import numpy as np
import torch
from torch import nn
import nndoctor

T = 40


def traces(n, state, rng):
    t = np.arange(T) / T
    base_f = rng.uniform(2.5, 4.5, (n, 1))
    x = np.sin(2 * np.pi * base_f * t + rng.uniform(0, 6.3, (n, 1)))
    if state == 1:                                  # bearing wear: weak high-frequency component
        x += 0.6 * np.sin(2 * np.pi * rng.uniform(11, 13, (n, 1)) * t)
    elif state == 2:                                # misalignment: slight second harmonic
        x += 0.6 * np.sin(2 * np.pi * 2 * base_f * t + 0.5)
    x += rng.normal(0, 0.35, (n, T))
    amp = 0.5 * np.abs(x)
    return np.stack([x, amp], -1).astype(np.float32)


class GRUClassifier(nn.Module):
    def __init__(self, n_in=2, hidden=32, n_cls=3):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_cls)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(3)
    counts = {0: 1900, 1: 60, 2: 40}              # fleet log: faults are rare
    X = np.concatenate([traces(c, s, rng) for s, c in counts.items()])
    y = np.concatenate([np.full(c, s) for s, c in counts.items()])
    perm = rng.permutation(len(y))
    X, y = X[perm], y[perm]
    ntr = 1500
    Xt, yt = torch.tensor(X), torch.tensor(y, dtype=torch.long)
    return nndoctor.Setup(
        model=GRUClassifier(),
        train=(Xt[:ntr], yt[:ntr]),
        val=(Xt[ntr:], yt[ntr:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=3e-3),
        batch_size=64,
    )
