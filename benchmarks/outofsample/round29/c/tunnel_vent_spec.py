"""Road-tunnel ventilation regime from the last seven and a half minutes of sensors (checkup spec).

Each window is 90 five-second readings of CO (ppm), visibility (extinction, 1/km) and the
longitudinal air speed (m/s) at the mid-tunnel station; the operator log gives the regime:
free flow, congestion, or smoke (a vehicle fire, rare). A GRU reads the whole window. Smoke
windows are few, so the loss is class-weighted; a little label smoothing because the log's
start/end times of congestion are fuzzy. Data are simulated (seeded).
"""
import numpy as np
import torch
from torch import nn

import nndoctor

T = 90
REGIMES = ["free_flow", "congestion", "smoke"]


def sensor_windows(n, rng):
    regime = rng.choice(3, size=n, p=[0.62, 0.30, 0.08])
    t = np.arange(T)
    X = np.zeros((n, T, 3), dtype=np.float32)
    for i, r in enumerate(regime):
        traffic = rng.uniform(0.2, 0.6) + (rng.uniform(0.0, 0.4) if r == 1 else 0.0)
        co = 8 + 25 * traffic + np.cumsum(rng.normal(0, 0.4, T))
        ext = 0.5 + 2.5 * traffic + rng.normal(0, 0.6, T)
        air = 2.5 - 0.8 * (r == 1) * rng.uniform(0.2, 1.0) + rng.normal(0, 0.5, T)
        if r == 2:
            start = rng.integers(10, 85)
            ramp = np.clip((t - start) / rng.uniform(8, 25), 0, 1)
            ext += ramp * rng.uniform(0.3, 2.5)
            co += ramp * rng.uniform(0, 8)
            air += ramp * rng.uniform(0.0, 1.2)            # jet fans boost to push smoke one way
        X[i] = np.stack([co, ext, air], 1)
    return X, regime.astype(np.int64)


class VentGRU(nn.Module):
    def __init__(self, n_in=3, hidden=32, n_out=3):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])


def setup():
    torch.manual_seed(8)
    rng = np.random.default_rng(8)
    X, y = sensor_windows(1400, rng)
    tr, va = slice(0, 1100), slice(1100, 1400)
    mu = X[tr].reshape(-1, 3).mean(0)
    sd = X[tr].reshape(-1, 3).std(0)
    X = (X - mu) / sd

    counts = np.bincount(y[tr], minlength=3)
    weights = torch.tensor(counts.sum() / (3 * counts), dtype=torch.float32)
    return nndoctor.Setup(
        model=VentGRU(),
        train=(torch.tensor(X[tr]), torch.tensor(y[tr])),
        val=(torch.tensor(X[va]), torch.tensor(y[va])),
        loss=nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=32,
    )
