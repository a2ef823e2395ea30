"""Checkup spec: harvest fruit diameter (mm) of apples on tagged trees, predicted in late July
so the packhouse can book size-grade capacity. Inputs: June and July diameters of the tagged
fruit, crop load (fruit per cm^2 of trunk cross-section), growing degree-days since bloom,
irrigation to date, days from bloom to hand-thinning, plus cultivar (one-hot, 5) and rootstock
(one-hot, 3). Continuous columns are standardised with training statistics; the one-hot
blocks are left as 0/1. Target is standardised (mean/std of the training trees).
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def _orchard(n, rng):
    cultivar = rng.integers(0, 5, n)
    rootstock = rng.integers(0, 3, n)
    pot = np.array([78, 72, 85, 68, 75])[cultivar] + np.array([-3, 0, 4])[rootstock]
    load = rng.gamma(4, 1.6, n)
    gdd = rng.normal(1150, 120, n)
    irrig = rng.uniform(120, 420, n)
    thin_day = rng.integers(20, 60, n).astype(float)
    harvest = pot - 2.2 * np.clip(load - 5, 0, None) - 0.1 * (thin_day - 20) \
        + 9 * (1 - np.exp(-irrig / 150)) - 0.012 * np.clip(gdd - 1150, 0, None) * (irrig < 220) \
        + rng.normal(0, 2.0, n)
    june = harvest * np.array([0.36, 0.42, 0.47, 0.39, 0.44])[cultivar] * rng.normal(1, 0.08, n)
    july = harvest * np.array([0.60, 0.66, 0.72, 0.63, 0.69])[cultivar] * rng.normal(1, 0.06, n)
    cont = np.column_stack([june, july, load, gdd, irrig, thin_day])
    return cont, np.eye(5)[cultivar], np.eye(3)[rootstock], harvest


def setup():
    rng = np.random.default_rng(31)
    torch.manual_seed(31)
    cont, cv, rs, y = _orchard(2600, rng)
    tr, va = slice(0, 2000), slice(2000, None)
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.hstack([(cont - mu) / sd, cv, rs]).astype(np.float32)
    y_mu, y_sd = y[tr].mean(), y[tr].std()
    Y = ((y - y_mu) / y_sd).astype(np.float32)[:, None]
    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Dropout(0.05),
                          nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(Y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(Y[va])),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=64,
    )
