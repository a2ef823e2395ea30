"""Vaccine cold chain: will a shipment fail its potency release test, from the
data logger's 15-minute readings over the last 24 h of transit (96 steps:
product temperature, ambient temperature, door-open flag)?

Potency loss accumulates with time above 8 C and any freezing below 0 C
(Arrhenius-like), so the model has to integrate over the whole trace: a GRU
over the 96 steps, last hidden state to a single logit, BCEWithLogitsLoss with
pos_weight for the ~20% failures. Temperatures are standardised with
training statistics; the door flag stays 0/1.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

T = 96


def loggers(n, rng):
    ambient = 20 + 8 * rng.standard_normal((n, 1)) + 3 * np.sin(2 * np.pi * np.arange(T) / 96 + rng.uniform(0, 6, (n, 1)))
    door = (rng.random((n, T)) < rng.uniform(0.0, 0.06, (n, 1))).astype(np.float32)
    door = np.maximum(door, np.roll(door, 1, 1) * (rng.random((n, T)) < 0.5))
    setpoint = rng.normal(5, 0.6, (n, 1))
    temp = np.empty((n, T))
    cur = setpoint[:, 0] + rng.normal(0, 0.5, n)
    cooler_fault = rng.random(n) < 0.2
    fault_at = rng.integers(10, T, n)
    for k in range(T):
        pull = 0.15 * (setpoint[:, 0] - cur) * np.where(cooler_fault & (k > fault_at), 0.1, 1.0)
        cur = cur + pull + 0.08 * door[:, k] * (ambient[:, k] - cur) + 0.004 * (ambient[:, k] - cur) + rng.normal(0, 0.15, n)
        temp[:, k] = cur
    heat = (np.clip(temp - 8, 0, None) ** 1.5).sum(1) / 4       # degree-hours above 8 C
    frozen = (temp < 0).sum(1) / 4
    risk = np.log1p(heat + 3 * frozen) + rng.normal(0, 0.15, n)
    y = (risk > 0.5).astype(np.float32)
    x = np.stack([temp, ambient, door], -1).astype(np.float32)
    return x, y


class LoggerGRU(nn.Module):
    def __init__(self, n_in=3, hidden=32):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1])


def setup():
    rng = np.random.default_rng(77)
    torch.manual_seed(77)
    X, y = loggers(3000, rng)
    n_tr = 2400
    mu = X[:n_tr, :, :2].mean((0, 1))
    sd = X[:n_tr, :, :2].std((0, 1))
    X[:, :, :2] = (X[:, :, :2] - mu) / sd
    X, y = torch.from_numpy(X), torch.from_numpy(y).unsqueeze(1)
    pos = y[:n_tr].mean()
    return nndoctor.Setup(
        model=LoggerGRU(),
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.BCEWithLogitsLoss(pos_weight=(1 - pos) / pos),
        optimizer=lambda params: torch.optim.Adam(params, lr=5e-4),
        batch_size=64,
    )
