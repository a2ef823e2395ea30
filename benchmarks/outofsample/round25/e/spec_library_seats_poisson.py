"""Checkup spec: occupied seats per study zone and hour in a university library.

Counts are modelled as Poisson with a log link: the network outputs the log rate and
PoissonNLLLoss(log_input=True) takes the raw counts, so the targets are deliberately not
standardised; the output bias starts at the log of the mean count. Continuous columns are
standardised, the weekday/zone one-hot blocks and the exam-week flag are left as 0/1.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def make_zone_hours(n, rng):
    hour = rng.integers(8, 23, n)
    weekday = rng.integers(0, 7, n)
    zone = rng.integers(0, 6, n)                       # silent, group, carrels, cafe, PC lab, atrium
    capacity = np.array([120, 60, 40, 80, 50, 150])[zone]
    exam = (rng.random(n) < 0.2).astype(float)
    temp_out = rng.normal(12, 7, n)
    rain = (rng.random(n) < 0.3).astype(float)
    week_of_term = rng.integers(1, 13, n)
    daily = np.exp(-((hour - np.array([14, 15, 13, 12, 16, 14])[zone]) / 3.5) ** 2)
    weekend = np.isin(weekday, [5, 6])
    rate = capacity * (0.08 + 0.6 * daily) * (1 + 1.1 * exam * np.isin(zone, [0, 2]) + 0.4 * exam) \
        * np.where(weekend, 0.45, 1.0) * (1 + 0.15 * rain) * (1 + 0.03 * week_of_term) \
        * np.exp(-0.01 * np.abs(temp_out - 12))
    rate = np.minimum(rate, capacity * 0.95)
    seats = rng.poisson(rate)
    cont = np.column_stack([np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                            np.log(capacity), temp_out, week_of_term])
    onehots = np.hstack([np.eye(7)[weekday], np.eye(6)[zone], exam[:, None], rain[:, None]])
    return cont, onehots, seats


def setup():
    torch.manual_seed(41)
    rng = np.random.default_rng(41)
    cont, onehots, seats = make_zone_hours(4000, rng)
    tr, va = slice(0, 3200), slice(3200, 4000)
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.hstack([(cont - mu) / sd, onehots]).astype(np.float32)
    y = seats.astype(np.float32)[:, None]

    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    with torch.no_grad():
        model[-1].bias.fill_(float(np.log(y[tr].mean())))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.PoissonNLLLoss(log_input=True),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
