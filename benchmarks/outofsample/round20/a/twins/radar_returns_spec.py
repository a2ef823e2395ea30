"""Classify low-altitude radar tracks (drone, bird, car, pedestrian, clutter) from the
high-resolution range profile and the micro-Doppler spectrum of each dwell.

Checkup spec: `setup()` returns the model, the data, the loss and the optimizer.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

CLASSES = ["drone", "bird", "car", "pedestrian", "clutter"]
N_RANGE, N_DOPPLER = 24, 20


def radar_dwells(n, rng):
    y = rng.integers(0, len(CLASSES), n)
    r = np.arange(N_RANGE)
    d = np.linspace(-1, 1, N_DOPPLER)
    extent = np.array([2.0, 1.2, 6.0, 1.5, 9.0])[y]
    rcs = np.array([-12, -15, 4, -5, 0])[y] + rng.normal(0, 6, n)
    centre = rng.uniform(6, 18, n)
    profile = rcs[:, None] - ((r[None] - centre[:, None]) / extent[:, None]) ** 2 * 2.5
    profile = np.maximum(profile, -30) + rng.normal(0, 9.0, (n, N_RANGE))

    bulk = (np.array([0.3, 0.25, 0.45, 0.08, 0.0])[y] + rng.normal(0, 0.08, n)) * rng.choice([-1, 1], n)
    spread = np.array([0.05, 0.12, 0.04, 0.18, 0.02])[y]
    blade = np.array([0.55, 0.0, 0.0, 0.0, 0.0])[y]
    flap = np.array([0.0, 0.3, 0.0, 0.0, 0.0])[y]
    dop = np.exp(-((d[None] - bulk[:, None]) ** 2) / (2 * spread[:, None] ** 2))
    dop += 0.35 * np.exp(-((np.abs(d[None] - bulk[:, None]) - blade[:, None]) ** 2) / 0.004) * (blade[:, None] > 0)
    dop += 0.5 * np.exp(-((np.abs(d[None] - bulk[:, None]) - flap[:, None]) ** 2) / 0.01) * (flap[:, None] > 0)
    dop = 10 * np.log10(dop + 0.02 + rng.gamma(1.0, 0.6, (n, N_DOPPLER)))

    speed = np.abs(bulk) * 30 + rng.normal(0, 8, n)
    X = np.hstack([profile, dop, speed[:, None]]).astype(np.float32)
    return X, y


def setup():
    rng = np.random.default_rng(5)
    X, y = radar_dwells(3000, rng)
    X_tr, y_tr, X_va, y_va = X[:2400], y[:2400], X[2400:], y[2400:]
    mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    torch.manual_seed(5)
    act = nn.ReLU
    width = 64
    layers, d_in = [], X.shape[1]
    for _ in range(6):
        layers += [nn.Linear(d_in, width), act()]
        d_in = width
    layers.append(nn.Linear(width, len(CLASSES)))
    model = nn.Sequential(*layers)

    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.02, momentum=0.9, weight_decay=5e-4),
        batch_size=64,
    )
