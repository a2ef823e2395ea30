"""Refrigeration-unit failure within 7 days on cold-chain trucks (checkup spec).

Per truck-day: compressor duty cycle, suction/discharge pressure, return-air vs set-point
gap, defrost count, door-open minutes, ambient temperature, engine hours since service,
route type (one-hot: urban, regional, long-haul). About 4% of truck-days precede a failure,
so the loss carries pos_weight and the output bias starts at the log-odds of the prior.
"""
import math
import numpy as np
import torch
from torch import nn

import nndoctor


def truck_days(n, rng):
    route = rng.choice(3, n, p=[0.5, 0.3, 0.2])
    duty = np.clip(rng.normal(0.55, 0.12, n), 0.05, 1.0)
    suction = rng.normal(2.1, 0.25, n)
    discharge = rng.normal(14.0, 1.5, n)
    gap = rng.normal(0.5, 0.6, n)
    defrost = rng.poisson(3, n)
    door = rng.gamma(2.0, 12.0, n) * np.array([2.0, 1.0, 0.4])[route]
    ambient = rng.normal(18, 8, n)
    hours = rng.uniform(0, 2500, n)
    logit = (-4.2 + 3.0 * (duty - 0.55) / 0.12 * 0.4 + 1.2 * np.maximum(gap - 1.0, 0)
             - 1.5 * (suction - 2.1) + 0.25 * (discharge - 14) + 0.0009 * (hours - 1250)
             + 0.03 * np.maximum(ambient - 25, 0) * duty * 4)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    cont = np.stack([duty, suction, discharge, gap, defrost, np.log1p(door), ambient, hours], 1)
    return cont.astype(np.float32), np.eye(3, dtype=np.float32)[route], y


def setup():
    rng = np.random.default_rng(44)
    torch.manual_seed(44)
    c_tr, r_tr, y_tr = truck_days(6000, rng)
    c_va, r_va, y_va = truck_days(1500, rng)
    mu, sd = c_tr.mean(0), c_tr.std(0)
    X_tr = np.concatenate([(c_tr - mu) / sd, r_tr], 1)
    X_va = np.concatenate([(c_va - mu) / sd, r_va], 1)

    prior = y_tr.mean()
    model = nn.Sequential(
        nn.Linear(X_tr.shape[1], 48), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(48, 48), nn.ReLU(),
        nn.Linear(48, 1),
    )
    with torch.no_grad():
        model[-1].bias.fill_(math.log(prior / (1 - prior)))
    pos_weight = torch.tensor([(1 - prior) / prior])

    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr).unsqueeze(1)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va).unsqueeze(1)),
        loss=nn.BCEWithLogitsLoss(pos_weight=pos_weight),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=128,
    )
