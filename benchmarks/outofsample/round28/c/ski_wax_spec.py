"""Cross-country service team: pick the glide-wax family for a race from snow readings.

Inputs (8): snow temperature, air temperature, relative humidity, snow grain age
(days), new-snow share, UV index, track compaction, wind speed; standardised.
Classes: 0 cold/hard fluoro-free, 1 universal, 2 warm wet, 3 dirty/old-snow graphite.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def readings(n, rng):
    snow_t = rng.uniform(-20, 0, n)
    air_t = snow_t + rng.normal(1.5, 3.0, n)
    rh = rng.uniform(30, 100, n)
    age = rng.exponential(4, n)
    new = np.clip(rng.beta(1.2, 2.5, n) * (age < 3) + rng.normal(0, 0.05, n), 0, 1)
    uv = rng.uniform(0, 8, n)
    comp = rng.uniform(0, 1, n)
    wind = rng.exponential(3, n)
    glaze = (air_t > snow_t + 2.5) & (rh > 75)          # warm humid air over cold snow
    old_snow = (age > 4) & (new < 0.3) & (snow_t > -13) & (snow_t < -3)
    y = np.where(snow_t < -10, 0, 1)
    y = np.where(old_snow, 3, y)
    y = np.where(glaze | (air_t > -1.5), 2, y)
    X = np.stack([snow_t, air_t, rh, age, new, uv, comp, wind], 1).astype(np.float32)
    return X, y


def block(d_in, d_out):
    return nn.Sequential(nn.Linear(d_in, d_out), nn.BatchNorm1d(d_out))


def setup():
    torch.manual_seed(11)
    rng = np.random.default_rng(11)
    X, y = readings(2400, rng)
    mu, sd = X[:1800].mean(0), X[:1800].std(0)
    X = torch.tensor((X - mu) / sd)
    y = torch.tensor(y)
    model = nn.Sequential(block(8, 64), block(64, 64), nn.Linear(64, 4))
    return nndoctor.Setup(
        model=model,
        train=(X[:1800], y[:1800]),
        val=(X[1800:], y[1800:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
