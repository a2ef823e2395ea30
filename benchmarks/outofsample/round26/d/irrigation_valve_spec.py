"""Orchard drip-irrigation valves: from the pressure and flow trace logged around one open/close cycle,
flag which faults a zone valve has (several can co-occur): leaking seat, slow solenoid, clogged filter,
stuck diaphragm. Multi-label 1-D CNN with per-label positive weights. Checkup spec.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

FAULTS = ["leak", "slow_solenoid", "clogged_filter", "stuck_diaphragm"]
PREVALENCE = np.array([0.12, 0.08, 0.15, 0.05])
T = 80


def valve_cycles(n, rng):
    labels = (rng.random((n, 4)) < PREVALENCE).astype(np.float32)
    t = np.arange(T)
    X = np.empty((n, 2, T), np.float32)
    for i in range(n):
        leak, slow, clog, stuck = labels[i]
        t_open, t_close = rng.integers(8, 16), rng.integers(50, 62)
        tau = rng.uniform(0.8, 2.4) * (2.0 if slow else 1.0)
        q_max = rng.uniform(0.7, 1.3) * (0.9 if clog else 1.0)
        opening = 1 - np.exp(-np.clip(t - t_open, 0, None) / tau)
        closing = np.exp(-np.clip(t - t_close, 0, None) / (tau * (1.7 if stuck else 1.0)))
        flow = q_max * opening * np.where(t < t_close, 1.0, closing)
        flow += (0.02 + 0.04 * rng.random()) * leak
        supply = rng.uniform(2.8, 3.4) + 0.1 * np.sin(2 * np.pi * t / rng.uniform(15, 40) + rng.uniform(0, 6.3))
        pressure = supply - 0.9 * flow * (1.12 if clog else 1.0)
        X[i, 0] = pressure + rng.normal(0, 0.08, T)
        X[i, 1] = flow + rng.normal(0, 0.04, T)
    return X, labels


class ValveNet(nn.Module):
    def __init__(self, n_out=4, c=24):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(2, c, 7, padding=3), nn.GroupNorm(4, c), nn.GELU(),
            nn.Conv1d(c, c, 5, padding=2, dilation=1), nn.GroupNorm(4, c), nn.GELU(),
            nn.Conv1d(c, c, 5, padding=4, dilation=2), nn.GroupNorm(4, c), nn.GELU(),
        )
        self.head = nn.Sequential(nn.Linear(2 * c + 6, 32), nn.GELU(), nn.Linear(32, n_out))

    def forward(self, x):
        h = self.net(x)
        level = torch.cat([x[..., :8].mean(-1), x[..., 30:45].mean(-1), x[..., -10:].mean(-1)], dim=1)   # closed / open / closed
        return self.head(torch.cat([h.mean(-1), h.amax(-1), level], dim=1))


def setup():
    rng = np.random.default_rng(13)
    torch.manual_seed(13)
    X, Y = valve_cycles(2500, rng)
    n_tr = 2000
    mu = X[:n_tr].mean(axis=(0, 2), keepdims=True)
    sd = X[:n_tr].std(axis=(0, 2), keepdims=True)
    X = (X - mu) / sd
    pos = Y[:n_tr].mean(0)
    pos_weight = torch.tensor(np.sqrt((1 - pos) / pos), dtype=torch.float32)
    return nndoctor.Setup(
        model=ValveNet(),
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(Y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(Y[n_tr:])),
        loss=nn.BCEWithLogitsLoss(pos_weight=pos_weight),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=64,
    )
