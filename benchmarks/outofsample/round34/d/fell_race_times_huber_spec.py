"""Fell-running club: predict a runner's finishing time on a hill race from the route and
the runner's record.

Inputs: 9 continuous features (distance, ascent, descent steepness, rough-ground share,
navigation legs, temperature, wind, runner's ranking points, races in the last 90 days)
standardised on the training rows, plus one-hot race venue (36 venues, left as 0/1).
Target: finishing time in minutes, which has a long right tail (runners who go off-line in
clag, twisted ankles), robustly scaled (median / IQR) and fitted with a Huber loss.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

N_VENUES = 36


def race_results(rng, n):
    venue = rng.integers(0, N_VENUES, n)
    venue_effect = rng.normal(0, 6, N_VENUES)
    dist = rng.gamma(4, 3, n)                                   # km
    ascent = dist * rng.uniform(30, 90, n)                      # m
    steep = rng.normal(0.25, 0.07, n)
    rough = rng.beta(2, 3, n)
    nav = rng.poisson(2, n)
    temp = rng.normal(11, 6, n)
    wind = rng.gamma(2, 6, n)
    points = rng.normal(0, 1, n)
    recent = rng.poisson(3, n)
    minutes = (5.2 * dist + 0.05 * ascent) * np.exp(-0.12 * points) * (1 + 0.5 * rough) \
        + 4 * nav + 0.25 * wind + 0.08 * (temp - 11) ** 2 - 0.8 * recent + venue_effect[venue]
    minutes += 3 * rng.standard_t(2, n)                         # heavy-tailed mishaps
    minutes += (rng.random(n) < 0.04) * rng.exponential(35, n)  # lost in the mist
    cont = np.column_stack([dist, ascent, steep, rough, nav, temp, wind, points, recent])
    return cont.astype(np.float32), venue, minutes.astype(np.float32)


def setup():
    rng = np.random.default_rng(3)
    torch.manual_seed(3)
    cont, venue, minutes = race_results(rng, 3000)
    n_tr = 2400
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    onehot = np.eye(N_VENUES, dtype=np.float32)[venue]
    X = np.concatenate([(cont - mu) / sd, onehot], 1).astype(np.float32)
    med = np.median(minutes[:n_tr])
    iqr = np.subtract(*np.percentile(minutes[:n_tr], [75, 25]))
    y = ((minutes - med) / iqr).astype(np.float32)[:, None]

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.SiLU(),
        nn.Linear(64, 64), nn.SiLU(),
        nn.Linear(64, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X[:n_tr]), torch.tensor(y[:n_tr])),
        val=(torch.tensor(X[n_tr:]), torch.tensor(y[n_tr:])),
        loss=nn.HuberLoss(delta=0.5),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
