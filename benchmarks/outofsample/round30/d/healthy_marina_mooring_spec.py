"""Marina berths: peak mooring-line load during a storm night, per berthed vessel.

Inputs: gust speed, wind angle to the berth (sin/cos), fetch, wave height at the
breakwater gap, vessel length, displacement, windage area, line count, fender type
(one-hot, 3 kinds), pontoon age. The peak load is heavy-tailed (snatch loads), so the
target is robust-scaled (median / IQR of the training set) and fitted with Huber loss.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def make_berths(n, rng):
    gust = rng.weibull(2.2, n) * 22
    ang = rng.uniform(0, 2 * np.pi, n)
    fetch = rng.lognormal(6.0, 0.5, n) / 1000            # km
    wave = 0.02 * gust * np.sqrt(fetch) + rng.gamma(2, 0.05, n)
    length = rng.uniform(6, 22, n)
    disp = 0.12 * length ** 2.6 * rng.lognormal(0, 0.2, n) / 100
    windage = 0.9 * length ** 1.7 * rng.lognormal(0, 0.15, n)
    lines = rng.integers(2, 7, n).astype(float)
    fender = rng.integers(0, 3, n)
    age = rng.uniform(0, 35, n)
    beam_on = np.abs(np.sin(ang))
    static = 0.0006 * windage * gust ** 2 * (0.3 + beam_on)
    snatch = disp * wave ** 2 * (1.0 + 0.6 * (fender == 0)) * (1 + 0.02 * age)
    load = (static + 4 * snatch) / np.sqrt(lines)
    load *= rng.lognormal(0, 0.25, n)
    spikes = rng.random(n) < 0.04
    load[spikes] *= rng.pareto(2.0, spikes.sum()) + 2.0
    X = np.column_stack([gust, np.sin(ang), np.cos(ang), fetch, wave, length, disp, windage,
                         lines, age])
    onehot = np.eye(3)[fender]
    return X.astype(np.float32), onehot.astype(np.float32), load.astype(np.float32)


def setup():
    torch.manual_seed(8)
    rng = np.random.default_rng(8)
    Xc, Xf, y = make_berths(2600, rng)
    tr, va = slice(0, 2100), slice(2100, None)
    mu, sd = Xc[tr].mean(0), Xc[tr].std(0)
    Xc = (Xc - mu) / sd
    X = np.hstack([Xc, Xf])
    med = np.median(y[tr])
    iqr = np.subtract(*np.percentile(y[tr], [75, 25]))
    t = ((y - med) / iqr).astype(np.float32)[:, None]
    model = nn.Sequential(
        nn.Linear(X.shape[1], 96), nn.SiLU(),
        nn.Linear(96, 96), nn.SiLU(),
        nn.Linear(96, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(t[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(t[va])),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-4),
        batch_size=64,
    )
