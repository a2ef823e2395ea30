"""Snow crystal habit from a falling-snow camera (16x16 crops, background subtracted).

Habits: plate, stellar dendrite, column, needle, graupel. A small CNN trained from scratch.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

S = 16


def render(habit, rng):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    cy, cx = S / 2 + rng.normal(0, 1.0, 2)
    th = rng.uniform(0, np.pi)
    r = rng.uniform(4.0, 6.5)
    dy, dx = yy - cy, xx - cx
    u = dx * np.cos(th) + dy * np.sin(th)
    v = -dx * np.sin(th) + dy * np.cos(th)
    rad = np.hypot(dx, dy)
    phi = np.arctan2(dy, dx) - th
    if habit == 0:    # hexagonal plate
        hexr = r * np.cos(np.pi / 6) / np.cos(((phi % (np.pi / 3)) - np.pi / 6))
        img = (rad < hexr).astype(np.float32) * 0.7
    elif habit == 1:  # stellar dendrite: six thin arms
        arm = np.abs(np.sin(3 * phi)) < 0.35
        img = (arm & (rad < r + 1)).astype(np.float32)
    elif habit == 2:  # column
        img = ((np.abs(u) < r * 0.9) & (np.abs(v) < r * 0.35)).astype(np.float32) * 0.8
    elif habit == 3:  # needle
        img = ((np.abs(u) < r * 1.2) & (np.abs(v) < 0.7)).astype(np.float32)
    else:             # graupel: rimed lump
        img = np.exp(-(rad / (0.55 * r)) ** 2) * (1 + 0.4 * rng.standard_normal((S, S)))
    img = img * rng.uniform(0.7, 1.2) + 0.12 * rng.standard_normal((S, S))
    return img.astype(np.float32)


def crystals(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 5, size=n)
    X = np.stack([render(k, rng) for k in y])[:, None]
    return X, y


def setup():
    torch.manual_seed(3)
    X, y = crystals(2500, seed=3)
    mu, sd = X[:2000].mean(), X[:2000].std()
    X = (X - mu) / sd
    X, y = torch.from_numpy(X), torch.from_numpy(y).long()
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, 64), nn.ReLU(),
        nn.Linear(64, 5),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[:2000], y[:2000]),
        val=(X[2000:], y[2000:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=0.01),
        batch_size=64,
    )
