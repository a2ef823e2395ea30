"""Tram wheel wear: predict the flange-wear rate (mm per 10,000 km) of a wheelset from its last
inspection record, so the depot can schedule re-profiling. Checkup spec.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

LINES = ["L1", "L2", "L4", "L7", "L9", "L11"]


def make_inspections(n, rng):
    line = rng.integers(len(LINES), size=n)
    line_curv = np.array([0.12, 0.30, 0.22, 0.45, 0.18, 0.35])[line]
    curve_share = np.clip(line_curv + rng.normal(0, 0.05, n), 0.02, 0.8)
    km_since = rng.uniform(5_000, 80_000, n)
    diameter = rng.uniform(610, 680, n)                  # mm, shrinks with re-profiling
    axle_load = rng.normal(10.5, 0.8, n)                 # t
    brake_events = rng.gamma(4, 1.5, n)                  # per km
    lubricated = rng.random(n) < 0.6
    winter = rng.random(n) < 0.35
    rail_temp = rng.normal(12, 8, n) - 10 * winter
    wear = (0.35 + 2.2 * curve_share ** 1.5 * (1.6 - 0.8 * lubricated) * (axle_load / 10.5) ** 2
            + 0.03 * brake_events + 0.004 * (680 - diameter) + 0.15 * winter
            - 0.0000015 * km_since + rng.normal(0, 0.08, n))
    num = np.stack([curve_share, km_since / 1e4, diameter, axle_load, brake_events, rail_temp], 1)
    onehot = np.eye(len(LINES))[line]
    flags = np.stack([lubricated, winter], 1).astype(float)
    return num, onehot, flags, wear


def setup():
    rng = np.random.default_rng(21)
    torch.manual_seed(21)
    num, onehot, flags, wear = make_inspections(2600, rng)
    n_tr = 2000
    mu, sd = num[:n_tr].mean(0), num[:n_tr].std(0)
    X = np.concatenate([(num - mu) / sd, onehot, flags], 1).astype(np.float32)
    y = ((wear - wear[:n_tr].mean()) / wear[:n_tr].std()).astype(np.float32)[:, None]
    model = nn.Sequential(
        nn.Linear(X.shape[1], 96), nn.SiLU(),
        nn.Linear(96, 96), nn.SiLU(),
        nn.Linear(96, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=32,
    )
