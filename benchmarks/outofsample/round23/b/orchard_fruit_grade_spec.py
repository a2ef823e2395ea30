"""Checkup spec: harvest size grade of apple blocks from early-season orchard measurements.

One row per orchard block and season: fruitlet diameters at 30/45/60 days after full bloom, crop
load (fruit per cm2 trunk cross-section), growing degree days to date, spring rainfall, tree age,
canopy light interception, and the thinning date. The label is the packhouse size grade of the
block's median fruit (5 grades, from <65 mm to >80 mm).
"""
import numpy as np
import torch
from torch import nn

import nndoctor

FEATURES = ["d30_mm", "d45_mm", "d60_mm", "crop_load", "gdd", "rain_mm", "tree_age", "light_int", "thin_doy"]
DROPOUT = 0.9


def orchard_blocks(n, seed=3):
    rng = np.random.default_rng(seed)
    vigour = rng.normal(0, 1, n)
    crop_load = np.clip(rng.gamma(6.0, 1.0, n), 1.0, None)
    gdd = rng.normal(620, 70, n)
    rain = rng.gamma(5.0, 22.0, n)
    age = rng.integers(3, 25, n).astype(float)
    light = np.clip(rng.beta(6, 3, n), 0.2, 0.95)
    thin = rng.normal(150, 6, n)
    d30 = 14 + 0.012 * (gdd - 620) + 0.8 * vigour - 0.25 * (crop_load - 6) + rng.normal(0, 1.0, n)
    d45 = d30 * 1.55 + 0.5 * vigour - 0.35 * (crop_load - 6) + rng.normal(0, 1.2, n)
    d60 = d45 * 1.30 + 0.004 * (rain - 110) - 0.4 * (crop_load - 6) + rng.normal(0, 1.4, n)
    # crop load hurts size far more in shaded canopies; late thinning and very young or old trees cost size
    harvest = (1.9 * d60 - 1.2 * (crop_load - 6) * (1.0 + 4.0 * np.maximum(0.7 - light, 0) / 0.3)
               - 0.012 * (thin - 145) ** 2 - 0.05 * (age - 12) ** 2 / 4
               + 3.0 * np.tanh((rain - 110) / 40) * (gdd > 620) + rng.normal(0, 1.2, n))
    X = np.stack([d30, d45, d60, crop_load, gdd, rain, age, light, thin], 1).astype(np.float32)
    return X, harvest


def setup():
    torch.manual_seed(0)
    X, harvest = orchard_blocks(3000)
    n_tr = 2400
    edges = np.quantile(harvest[:n_tr], [0.2, 0.4, 0.6, 0.8])       # packhouse grade bands
    y = np.digitize(harvest, edges).astype(np.int64)
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd

    model = nn.Sequential(
        nn.Linear(len(FEATURES), 64), nn.ReLU(), nn.Dropout(DROPOUT),
        nn.Linear(64, 64), nn.ReLU(), nn.Dropout(DROPOUT),
        nn.Linear(64, 5),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
