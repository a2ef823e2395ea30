"""Bowling centre: will a lane's pinsetter jam in the next 200 frames?

Per lane and shift, from the machine controller and the maintenance log:
cycle time mean and spread, sweep-motor current, deck-lowering time, pin
elevator slip counts, ball-return delays, humidity in the pit, hours since the
last deck service, lane oil pattern length, league night flag, and the
machine's model year.  About one lane-shift in eight ends with a jam call.
The rare positives get weighted up in the loss; the model is a small MLP
with batch norm.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def lane_shifts(n, rng):
    cycle = rng.normal(9.5, 0.6, n)
    cycle_sd = rng.gamma(3, 0.12, n)
    sweep_amp = rng.normal(2.1, 0.25, n)
    deck = rng.normal(3.2, 0.3, n)
    slips = rng.poisson(1.5, n)
    ball_delay = rng.exponential(1.0, n)
    humidity = rng.normal(55, 10, n)
    service_h = rng.uniform(0, 900, n)
    oil = rng.choice([35, 38, 41, 44, 47], n)
    league = (rng.random(n) < 0.3).astype(float)
    year = rng.integers(1988, 2022, n)
    logit = (-7.0 + 3.0 * np.maximum((cycle_sd - 0.36) / 0.2, 0) + 0.35 * slips + 0.002 * service_h
             + 1.6 * (sweep_amp - 2.1) / 0.25 * (humidity > 62) + 0.8 * ((oil - 41) / 4) ** 2
             + 0.5 * league - 0.03 * (year - 2005))
    jam = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    X = np.column_stack([cycle, cycle_sd, sweep_amp, deck, slips, ball_delay, humidity, service_h,
                         oil, league, year - 2005]).astype(np.float32)
    return X, jam


def setup():
    torch.manual_seed(8)
    rng = np.random.default_rng(8)
    X, y = lane_shifts(8000, rng)
    Xtr, ytr, Xva, yva = X[:6400], y[:6400], X[6400:], y[6400:]
    cont = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10]
    mu, sd = Xtr[:, cont].mean(0), Xtr[:, cont].std(0)
    Xtr[:, cont] = (Xtr[:, cont] - mu) / sd
    Xva[:, cont] = (Xva[:, cont] - mu) / sd

    pos = ytr.mean()
    model = nn.Sequential(
        nn.Linear(X.shape[1], 32), nn.BatchNorm1d(32), nn.ReLU(),
        nn.Linear(32, 16), nn.BatchNorm1d(16), nn.ReLU(),
        nn.Linear(16, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr).unsqueeze(1)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva).unsqueeze(1)),
        loss=nn.BCEWithLogitsLoss(pos_weight=torch.tensor([(1 - pos) / pos])),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3, weight_decay=1e-4),
        batch_size=128,
    )
