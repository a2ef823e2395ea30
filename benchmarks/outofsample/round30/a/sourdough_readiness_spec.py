"""Bakery starters: is a sourdough starter at its peak right now (use it to build the levain)?

Sensor jars log hours since the last feed, jar temperature, hydration, rye share of the feed,
rise above the feed line, pH and bubble count at the surface. The baker's label: 1 at peak, 0 not (still rising, or past peak
and collapsing).
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def load_jars(n=2600, seed=4):
    rng = np.random.default_rng(seed)
    hours = rng.uniform(0.5, 10, n)
    temp = rng.uniform(17, 30, n)
    hydration = rng.uniform(60, 125, n)
    rye = rng.beta(1.5, 3, n)
    # fermentation progress: Q10-like temperature speed-up, rye ferments faster, stiff starters slower
    speed = 2 ** ((temp - 24) / 7) * (1 + 0.8 * rye) * (hydration / 100) ** 0.5
    progress = hours * speed / 6.0
    rise = 1 + 1.4 * (1 - np.exp(-1.6 * progress)) - 0.2 * np.clip(progress - 1.3, 0, None) + rng.normal(0, 0.1, n)
    ph = 4.9 - 0.35 * np.log1p(progress) - 0.5 * rye + 0.004 * (hydration - 100) + rng.normal(0, 0.12, n)
    bubbles = rng.poisson(12 * np.exp(-((progress - 1.1) / 1.5) ** 2) + 3)
    y = ((progress > 0.75) & (progress < 1.35)).astype(int)
    X = np.stack([hours, temp, hydration, rye, rise, ph, np.log1p(bubbles)], 1)
    return X.astype(np.float32), y.astype(np.int64)


def mlp(n_in, widths, n_out):
    layers, d = [], n_in
    for w in widths:
        layers += [nn.Linear(d, w)]
        d = w
    layers.append(nn.Linear(d, n_out))
    return nn.Sequential(*layers)


def setup():
    torch.manual_seed(1)
    X, y = load_jars()
    Xtr, ytr, Xva, yva = X[:2000], y[:2000], X[2000:], y[2000:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    model = mlp(X.shape[1], [64, 64, 32], 2)
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4),
        batch_size=32,
    )
