"""Punt hire on a college river: how long will this booking keep the punt? (checkup spec)

The hire station schedules punts from bookings: time of day, weekday, forecast temperature and
rain, river flow, group size, chauffeured or self-hire, student rate, and how far ahead it was
booked.  Most hires last about an hour; a few groups keep the punt the whole afternoon (picnic
upriver, stuck on the bank) and produce a long right tail.  The target is standardised on the
training bookings and fitted with a Huber loss so those afternoons do not dominate the fit; the
weekday one-hot columns are passed through unscaled.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def bookings(n, rng):
    hour = rng.uniform(9, 19, n)
    dow = rng.integers(0, 7, n)
    temp = rng.normal(19, 5, n)
    rain = rng.exponential(0.6, n) * (rng.random(n) < 0.3)
    flow = rng.lognormal(np.log(4), 0.4, n)                    # m3/s at the weir
    group = rng.integers(1, 7, n)
    chauffeur = (rng.random(n) < 0.4).astype(float)
    student = (rng.random(n) < 0.25).astype(float)
    lead = rng.exponential(5, n)
    weekend = (dow >= 5).astype(float)
    base = (0.9 + 0.35 * chauffeur + 0.5 * np.tanh((temp - 15) / 4) - 0.25 * rain
            - 0.6 * (flow > 5.5) * (1 - chauffeur) + 0.25 * np.log(group) + 0.25 * weekend
            - 0.15 * student + 0.7 * np.exp(-((hour - 14) ** 2) / 4) * (1 - chauffeur) * (temp > 16))
    base = np.clip(base, 0.3, None)
    hours = base * rng.lognormal(0, 0.18, n)
    long_stay = rng.random(n) < 0.05 * (1 - chauffeur) * (1 + weekend) * (temp > 20)
    hours += long_stay * rng.pareto(1.8, n) * 2.0 + long_stay * 1.5
    hours = np.minimum(hours, 21 - hour)                       # punts are back by 9 pm
    cont = np.stack([np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24), temp, rain, flow,
                     group, lead], 1)
    flags = np.concatenate([np.eye(7)[dow], chauffeur[:, None], student[:, None]], 1)
    return cont, flags, hours


def setup():
    rng = np.random.default_rng(12)
    cont, flags, hours = bookings(3000, rng)
    tr, va = slice(0, 2400), slice(2400, 3000)
    c_mu, c_sd = cont[tr].mean(0), cont[tr].std(0)
    h_mu, h_sd = hours[tr].mean(), hours[tr].std()
    X = np.concatenate([(cont - c_mu) / c_sd, flags], 1).astype(np.float32)
    y = ((hours - h_mu) / h_sd).astype(np.float32)[:, None]
    torch.manual_seed(12)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 1),
    )
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    return nndoctor.Setup(
        model=model,
        train=(X[tr], y[tr]),
        val=(X[va], y[va]),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3, weight_decay=1e-5),
        batch_size=64,
        task="regression",
        name="punt-hire-huber",
    )
