"""Road-tunnel ventilation state from the 12 measuring stations along the bore.

Every station reports CO (ppm), visibility as extinction coefficient K (1/km),
longitudinal air velocity (m/s) and air temperature.  The operator wants the
ventilation state recognised from one 48-value snapshot:
0 normal traffic, 1 congestion, 2 jet-fan group out, 3 smoke event, 4 portal wind reversal.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

ST = 12
CLASSES = 5


def snapshots(n, rng):
    y = rng.integers(0, CLASSES, n)
    pos = np.linspace(0, 1, ST)
    X = np.zeros((n, 4, ST), dtype=np.float32)
    for i, c in enumerate(y):
        traffic = rng.uniform(0.3, 1.0)
        v0 = rng.uniform(2.0, 5.0)
        co = 5 + 25 * traffic * pos + rng.normal(0, 3, ST)
        k = 1.5 + 3 * traffic * pos + rng.normal(0, 0.6, ST)
        vel = v0 + rng.normal(0, 0.4, ST)
        temp = rng.uniform(8, 18) + 4 * pos + rng.normal(0, 1.0, ST)
        if c == 1:
            co = co * rng.uniform(1.4, 2.0) + 6
            k = k * rng.uniform(1.1, 1.5)
            vel = vel * rng.uniform(0.6, 0.9)
        elif c == 2:
            s = rng.integers(2, ST - 2)
            vel[s:] -= rng.uniform(0.9, 1.8)
            co[s:] += np.linspace(0, rng.uniform(4, 10), ST - s)
        elif c == 3:
            s = rng.integers(1, ST - 3)
            down = np.exp(-np.clip(np.arange(ST) - s, 0, None) / rng.uniform(1.5, 3.5)) * (np.arange(ST) >= s)
            k += rng.uniform(2.5, 8) * down
            temp += rng.uniform(2, 8) * down
        elif c == 4:
            vel = vel * rng.uniform(-0.5, 0.4) + rng.normal(0, 0.6, ST)
            co = co[::-1].copy()
            k = k[::-1].copy()
        X[i] = np.stack([co, k, vel, temp])
    return X.reshape(n, -1), y


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        nn.init.zeros_(m.bias)


def setup():
    rng = np.random.default_rng(21)
    X, y = snapshots(5000, rng)
    Xtr, ytr, Xva, yva = X[:4000], y[:4000], X[4000:], y[4000:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    torch.manual_seed(0)
    width = 128
    model = nn.Sequential(
        nn.Linear(4 * ST, width), nn.ReLU(),
        nn.Linear(width, width), nn.ReLU(),
        nn.Linear(width, width), nn.ReLU(),
        nn.Linear(width, width), nn.ReLU(),
        nn.Linear(width, width), nn.ReLU(),
        nn.Linear(width, CLASSES),
    )
    model.apply(init_weights)
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr).long()),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva).long()),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.02, momentum=0.9, weight_decay=1e-3),
        batch_size=64,
    )
