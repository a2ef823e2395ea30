"""Organ-donor logistics: flag courier legs at risk of exceeding cold-ischaemia margin (checkup spec).

Each row is one planned transport leg (retrieval hospital to transplant centre):
distance, planned mode mix, departure hour, weather, organ type, box
temperature at hand-over, customs/airside handover count.  Outcome classes:
on time (most legs), tight (< 1 h margin left), breach.  Classes are rare by
nature, so the loss is class-weighted (sqrt-inverse frequency) and the output
bias starts at the log prior; the small network is deliberate.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

ORGANS = ["kidney", "liver", "heart", "lung", "pancreas"]
MAX_HOURS = np.array([30.0, 12.0, 5.0, 7.0, 14.0])


def courier_legs(n, rng):
    organ = rng.choice(len(ORGANS), n, p=[0.45, 0.25, 0.1, 0.1, 0.1])
    dist = rng.lognormal(np.log(250), 0.7, n)                    # km
    air = (dist > 350) & (rng.random(n) < 0.8)
    hour = rng.integers(0, 24, n)
    night = ((hour < 6) | (hour > 21)).astype(float)
    snow = rng.random(n) < 0.12
    handovers = rng.poisson(1 + 2 * air)
    box_temp = rng.normal(4.0, 0.8, n)
    speed = np.where(air, 450.0, 75.0) * (1 - 0.25 * snow)
    travel = dist / speed + 0.6 * handovers + 1.5 * air + rng.gamma(2.0, 0.35, n) - 0.3 * night
    margin = MAX_HOURS[organ] - 2.0 - travel - 0.3 * np.abs(box_temp - 4)
    y = np.where(margin < 0, 2, np.where(margin < 1.0, 1, 0))
    X = np.stack([np.log(dist), air.astype(float), np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                  snow.astype(float), handovers, box_temp], 1)
    X = np.concatenate([X, np.eye(len(ORGANS))[organ]], 1)
    return X.astype(np.float32), y.astype(np.int64)


def setup():
    rng = np.random.default_rng(13)
    X, y = courier_legs(3000, rng)
    X_tr, y_tr, X_va, y_va = X[:2400], y[:2400], X[2400:], y[2400:]
    cont = [0, 5, 6]                                           # log distance, handovers, box temperature
    mu, sd = X_tr[:, cont].mean(0), X_tr[:, cont].std(0)
    X_tr[:, cont] = (X_tr[:, cont] - mu) / sd
    X_va[:, cont] = (X_va[:, cont] - mu) / sd

    prior = np.bincount(y_tr, minlength=3) / len(y_tr)
    weights = torch.tensor((1 / np.sqrt(prior)) / (1 / np.sqrt(prior)).mean(), dtype=torch.float32)

    torch.manual_seed(2)
    model = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 3))
    with torch.no_grad():
        model[-1].bias.copy_(torch.log(torch.tensor(prior, dtype=torch.float32)))

    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(weight=weights),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-3),
        batch_size=64,
    )
