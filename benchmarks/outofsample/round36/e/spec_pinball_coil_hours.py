"""Arcade operator: hours of play until a pinball flipper coil needs replacing.

Per coil: coil type (four winding codes, one-hot), machine age, plays per week, end-of-stroke
switch gap, supply voltage, cabinet temperature, and whether the flipper has a hold-winding
cut-out (0/1). Service logs are messy: a few coils fail very early (bad batch) or run far past
the usual life, so the targets are heavy-tailed. Targets are centred on the training median
and scaled by the IQR, and the loss is Huber, so the odd extreme coil cannot dominate. A
deliberately small network: the operator wants something that runs on the counter PC.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def _coils(n, rng):
    kind = rng.integers(0, 4, n)
    age = rng.uniform(0, 30, n)
    plays = rng.gamma(3, 60, n)
    eos_gap = rng.normal(1.6, 0.35, n)
    volts = rng.normal(50, 2.5, n)
    temp = rng.normal(24, 4, n)
    cutout = (rng.random(n) < 0.7).astype(float)
    base = np.array([900, 1150, 700, 1300])[kind]
    life = (base * (1 + 0.6 * cutout) * np.exp(-0.25 * (eos_gap - 1.6) ** 2 * 4)
            * np.exp(-0.04 * (volts - 50)) * np.exp(-0.02 * np.clip(temp - 26, 0, None) * 5)
            - 4 * age)
    noise = 120 * rng.standard_t(2.0, n)                  # heavy tails from the service logs
    hours = np.clip(life + noise, 20, None)
    X = np.column_stack([np.eye(4)[kind], cutout, age, np.log(plays), eos_gap, volts, temp])
    return X.astype(np.float32), hours.astype(np.float32)


def setup():
    rng = np.random.default_rng(44)
    torch.manual_seed(44)
    X, h = _coils(1800, rng)
    tr, va = np.arange(1400), np.arange(1400, 1800)
    cont = slice(5, None)                                   # one-hot and 0/1 columns stay as they are
    mu, sd = X[tr, cont].mean(0), X[tr, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd
    med = np.median(h[tr])
    iqr = np.subtract(*np.percentile(h[tr], [75, 25]))
    y = ((h - med) / iqr).astype(np.float32)

    model = nn.Sequential(nn.Linear(X.shape[1], 16), nn.Tanh(), nn.Linear(16, 1), nn.Flatten(0))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.Adam(params, lr=5e-3),
        batch_size=32,
    )
