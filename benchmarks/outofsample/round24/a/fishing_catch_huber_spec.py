"""Demersal trawl fleet: predict catch per haul from logbook and ocean data.

Catch per haul is heavy tailed: most hauls land a few hundred kg, a handful hit
a dense aggregation and land several tonnes.  Targets are standardised with the
training mean/std (tail left intact, since the big hauls are real and matter
for quota planning) and the net is trained under a Huber loss so the rare
huge hauls do not dominate the gradient.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def make_hauls(n, rng):
    gear = rng.integers(0, 3, n)                          # otter trawl, twin rig, seine
    duration_h = rng.uniform(1.0, 6.0, n)
    depth = rng.uniform(40, 420, n)
    sst = rng.normal(11.0, 2.2, n)
    chl = rng.lognormal(0.0, 0.5, n)
    moon = rng.uniform(0, 2 * np.pi, n)
    month = rng.integers(1, 13, n)
    shelf_km = rng.gamma(2.0, 8.0, n)
    habitat = np.exp(-((depth - 180) / 90) ** 2) * np.exp(-((sst - 10.5) / 2.5) ** 2)
    rate = (60 * habitat * (0.6 + 0.4 * np.log1p(chl)) * np.array([1.0, 1.35, 0.8])[gear]
            * (1 + 0.2 * np.cos(2 * np.pi * (month - 3) / 12)) * np.exp(-shelf_km / 40)
            * (1 + 0.1 * np.cos(moon)))
    catch = rate * duration_h * rng.lognormal(0, 0.35, n)
    school = rng.random(n) < 0.03 * (0.5 + habitat)      # hit a dense aggregation
    catch = catch + school * rng.pareto(2.5, n) * 350 * habitat
    cont = np.column_stack([duration_h, depth, sst, np.log(chl), shelf_km])
    cyc = np.column_stack([np.sin(moon), np.cos(moon),
                           np.sin(2 * np.pi * month / 12), np.cos(2 * np.pi * month / 12)])
    return cont, cyc, np.eye(3)[gear], catch


def setup():
    torch.manual_seed(8)
    rng = np.random.default_rng(8)
    cont, cyc, gear, catch = make_hauls(3500, rng)
    tr, va = slice(0, 2800), slice(2800, None)
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.column_stack([(cont - mu) / sd, cyc, gear]).astype(np.float32)
    y_mu, y_sd = catch[tr].mean(), catch[tr].std()
    y = ((catch - y_mu) / y_sd).astype(np.float32)[:, None]
    model = nn.Sequential(
        nn.Linear(X.shape[1], 96), nn.SiLU(),
        nn.Linear(96, 96), nn.SiLU(),
        nn.Linear(96, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
