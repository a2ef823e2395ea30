"""Dog-sled race checkpoints: should the team rest? (vet-check outcome after a leg)

Each leg gives a GPS/telemetry trace resampled to 90 points: team speed, trail gradient,
air temperature and the lead dog's harness heart-rate. The checkpoint vet's call is the
label: 0 = fit to continue, 1 = short rest, 2 = mandatory long rest (rare). GRU over the
whole leg, class-weighted cross-entropy because the rare class is the one that matters.
Checkup spec.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

T = 90


def _legs(n=2000, seed=41):
    rng = np.random.default_rng(seed)
    y = rng.choice(3, n, p=[0.62, 0.27, 0.11])
    t = np.linspace(0, 1, T)
    X = np.zeros((n, T, 4), np.float32)
    for i, c in enumerate(y):
        grade = np.cumsum(rng.normal(0, 0.6, T)) * 0.3
        grade -= grade.mean()
        temp = rng.normal(-18, 8) + rng.normal(0, 0.5, T)
        decay = {0: 0.08, 1: 0.22, 2: 0.38}[c] * rng.lognormal(0, 0.25)
        base = rng.normal(15, 1.5)
        speed = base * (1 - decay * t ** 1.5) - 0.6 * grade + rng.normal(0, 0.6 + 0.8 * decay * t, T)
        drift = {0: 6, 1: 14, 2: 24}[c] * rng.lognormal(0, 0.3)
        hr = 150 + 2.5 * grade + drift * t + rng.normal(0, 4, T)
        X[i] = np.stack([speed, grade, temp, hr], 1)
    return X, y


class LegGRU(nn.Module):
    def __init__(self, d_in=4, hidden=32, n_classes=3):
        super().__init__()
        self.gru = nn.GRU(d_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1])


def setup():
    torch.manual_seed(41)
    X, y = _legs()
    tr, va = slice(0, 1600), slice(1600, None)
    mu = X[tr].mean(axis=(0, 1))
    sd = X[tr].std(axis=(0, 1))
    X = ((X - mu) / sd).astype(np.float32)
    counts = np.bincount(y[tr], minlength=3)
    weights = torch.tensor(len(y[tr]) / (3 * counts), dtype=torch.float32)
    return nndoctor.Setup(
        model=LegGRU(),
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.CrossEntropyLoss(weight=weights),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=32,
    )
