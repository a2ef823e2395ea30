"""Mushroom farm: grade each growing room's next flush (A / B / C) from the
climate-computer averages of the pinning week: CO2, air and compost
temperatures, relative humidity, casing depth, fresh-air exchanges, spawn rate,
watering volume and compost age. Grade C (long stems, open veils, cracking) is
rare, so the cross-entropy is class-weighted, with light label smoothing.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def make_rooms(n, rng):
    co2 = rng.normal(1100, 250, n)            # ppm
    t_air = rng.normal(17.5, 1.0, n)
    t_compost = t_air + rng.normal(2.0, 0.8, n)
    rh = rng.normal(88, 3.5, n)
    casing = rng.normal(50, 6, n)              # mm
    fresh_air = rng.normal(4.0, 1.0, n)        # exchanges/h
    spawn = rng.normal(0.8, 0.1, n)            # % of compost mass
    water = rng.normal(6.0, 1.5, n)            # l/m^2
    age = rng.integers(14, 24, n).astype(float)  # days since filling
    X = np.column_stack([co2, t_air, t_compost, rh, casing, fresh_air, spawn, water, age])
    stress = (np.maximum(co2 - 1300, 0) / 180 + np.maximum(84 - rh, 0) / 1.8
              + np.abs(t_compost - t_air - 2.0) / 0.9 + np.maximum(45 - casing, 0) / 5
              - 0.4 * (fresh_air - 4.0) + rng.normal(0, 0.3, n))
    y = np.digitize(stress, [1.6, 3.0])        # 0 = A, 1 = B, 2 = C
    return X.astype(np.float32), y.astype(np.int64)


def setup():
    torch.manual_seed(2)
    rng = np.random.default_rng(2)
    X, y = make_rooms(4500, rng)
    Xtr, ytr, Xva, yva = X[:3600], y[:3600], X[3600:], y[3600:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    counts = np.bincount(ytr, minlength=3)
    weights = torch.tensor(len(ytr) / (3 * counts), dtype=torch.float32)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 3),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
