"""Weather-vane bearing condition from spin-down tests.

Each row is one spin-down test on a church/municipal weather vane: the vane is spun by a
calibrated push and a small logger records the decay. Four classes from the steeplejack's
inspection sheet: ok, worn, corroded, seized-start. Model: small MLP on standardised features.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

CLASSES = ["ok", "worn", "corroded", "seized_start"]


def make_tests(n, rng):
    shares = np.array([0.86, 0.07, 0.045, 0.025])
    y = rng.choice(4, size=n, p=shares)
    age = rng.gamma(4.0, 6.0, n)                       # years since last overhaul
    alt = rng.normal(35, 12, n).clip(5, 90)             # mounting height, m
    coastal = (rng.random(n) < 0.3).astype(float)
    greased = rng.exponential(18, n)                    # months since greasing
    t_spin = rng.normal(42, 6, n) - 0.12 * age          # spin-down time, s
    decel = rng.normal(0.9, 0.15, n) + 0.01 * age       # mean deceleration, rad/s^2
    vib_lo = rng.lognormal(-1.0, 0.3, n)
    vib_hi = rng.lognormal(-2.0, 0.35, n)
    stick = rng.normal(0.05, 0.03, n)                   # stick-slip index
    temp = rng.normal(11, 6, n)
    # condition signatures (overlapping on purpose: inspection is noisy)
    worn = y == 1
    t_spin[worn] -= 7; vib_lo[worn] *= 1.7; decel[worn] += 0.15
    cor = y == 2
    vib_hi[cor] *= 2.0; stick[cor] += 0.05; t_spin[cor] -= 4; coastal[cor] = (rng.random(cor.sum()) < 0.7)
    sz = y == 3
    stick[sz] += 0.09; decel[sz] += 0.35; t_spin[sz] -= 10; greased[sz] += 15
    X = np.column_stack([age, alt, coastal, greased, t_spin, decel,
                         np.log(vib_lo), np.log(vib_hi), stick, temp]).astype(np.float32)
    return X, y.astype(np.int64)


def setup():
    rng = np.random.default_rng(2036)
    torch.manual_seed(2036)
    X, y = make_tests(4200, rng)
    Xtr, ytr, Xva, yva = X[:3200], y[:3200], X[3200:], y[3200:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    mu[2], sd[2] = 0.0, 1.0                              # leave the coastal flag as 0/1
    Xtr = (Xtr - mu) / sd
    Xva = (Xva - mu) / sd
    model = nn.Sequential(
        nn.Linear(10, 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 4),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(Xtr), torch.tensor(ytr)),
        val=(torch.tensor(Xva), torch.tensor(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=2e-3),
        batch_size=64,
    )
