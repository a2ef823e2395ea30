"""Curling stone deliveries: classify the handle's IMU trace as in-turn, out-turn
or a wobbly release (rotation reversed mid-slide).

Each trace is 48 samples at 20 Hz of (acc_x, acc_y, gyro_z, handle_pressure).
A one-layer GRU reads the trace, its last state goes to a linear head.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

T = 48


def simulate(n, rng):
    y = rng.integers(0, 3, n)
    t = np.arange(T)[None, :]
    release = rng.integers(14, 26, (n, 1))
    after = (t >= release).astype(np.float32)
    push = np.exp(-0.5 * ((t - release + 8) / 3.0) ** 2)
    spin = np.where(y == 1, -1.0, 1.0)[:, None] * rng.uniform(0.4, 0.9, (n, 1))
    flip = rng.integers(30, 42, (n, 1))
    sign = np.where((y[:, None] == 2) & (t >= flip), -1.0, 1.0)
    gyro = after * spin * sign * np.exp(-(t - release) * 0.01) + rng.normal(0, 0.9, (n, T))
    acc_x = 1.5 * push + rng.normal(0, 0.3, (n, T))
    acc_y = 0.25 * gyro * after + rng.normal(0, 0.3, (n, T))
    grip = (1.0 - after) * rng.uniform(0.6, 1.0, (n, 1)) + rng.normal(0, 0.1, (n, T))
    x = np.stack([acc_x, acc_y, gyro, grip], axis=-1).astype(np.float32)
    return torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))


class DeliveryNet(nn.Module):
    def __init__(self, n_feat=4, hidden=48, n_cls=3):
        super().__init__()
        self.gru = nn.GRU(n_feat, hidden, num_layers=1)
        self.head = nn.Sequential(nn.LayerNorm(hidden), nn.Linear(hidden, n_cls))

    def forward(self, x):  # x: (batch, time, channels)
        out, _ = self.gru(x)
        return self.head(out[:, -1])


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(11)
    X_tr, y_tr = simulate(1400, rng)
    X_va, y_va = simulate(400, rng)
    return nndoctor.Setup(
        model=DeliveryNet(),
        train=(X_tr, y_tr),
        val=(X_va, y_va),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=64,
    )
