"""Flying-trapeze rig monitoring: classify what the rig is doing from a 1.6 s window of the
four load cells (two on the fly bar cables, two on the catch-trap cables), 20 Hz.

Classes: 0 rig at rest, 1 free swing, 2 catch (impulse on the catch trap), 3 missed catch
(impulse then the net takes the load), 4 bar change-over.
"""
import math

import numpy as np
import torch
from torch import nn

import nndoctor

T = 32
CELLS = 4


def simulate(n, rng):
    t = np.arange(T) / 20.0
    y = rng.integers(0, 5, n)
    X = np.empty((n, CELLS, T), dtype=np.float32)
    for i in range(n):
        w = 2 * math.pi * rng.uniform(0.45, 0.65)             # pendulum frequency of the bar
        ph = rng.uniform(0, 2 * math.pi)
        base = rng.normal(1.0, 0.08, CELLS)[:, None]          # static tension, kN
        sig = np.repeat(base, T, 1) + rng.normal(0, 0.06, (CELLS, T))
        k = y[i]
        if k >= 1:
            amp = rng.uniform(0.25, 0.5)
            sig[:2] += amp * np.cos(w * t + ph) ** 2
        if k in (2, 3, 4):
            t0 = rng.integers(6, 22)
            width = rng.uniform(1.0, 2.5)
            pulse = np.exp(-0.5 * ((np.arange(T) - t0) / width) ** 2)
            if k == 4:
                sig[0] += 0.5 * pulse
                sig[1] -= 0.35 * pulse
            else:
                sig[2:] += rng.uniform(0.5, 0.9) * pulse
            if k == 3:
                sig[2:, t0 + 3:] -= rng.uniform(0.3, 0.5)
        X[i] = sig
    return X.reshape(n, -1), y.astype(np.int64)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, 0.0, 2.0 / m.in_features)
        nn.init.zeros_(m.bias)


def setup():
    rng = np.random.default_rng(5)
    torch.manual_seed(5)
    X, y = simulate(2400, rng)
    mu, sd = X[:2000].mean(0), X[:2000].std(0)
    X = (X - mu) / sd
    Xtr, ytr = torch.from_numpy(X[:2000]), torch.from_numpy(y[:2000])
    Xva, yva = torch.from_numpy(X[2000:]), torch.from_numpy(y[2000:])
    width = 128
    model = nn.Sequential(
        nn.Linear(CELLS * T, width), nn.ReLU(),
        nn.Linear(width, width), nn.ReLU(),
        nn.Linear(width, width), nn.ReLU(),
        nn.Linear(width, width), nn.ReLU(),
        nn.Linear(width, width), nn.ReLU(),
        nn.Linear(width, 5),
    )
    model.apply(init_weights)
    return nndoctor.Setup(
        model=model,
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.02, momentum=0.9, nesterov=True),
        batch_size=32,
    )
