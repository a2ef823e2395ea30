"""Checkup spec: daily milk yield (kg) per cow from the herd's sensor features.

Training rows come from the milking robots' export, which carries the cow-day's sensor
summary and the day's total yield on each robot visit; validation rows come from the herd
management system's daily report (one row per cow-day) for a separate group of cows.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def simulate_herd(n_cows, days, rng):
    parity = rng.integers(1, 6, n_cows)
    breed_jersey = (rng.random(n_cows) < 0.3).astype(np.float32)
    cow_level = rng.normal(0, 2.5, n_cows)
    cow = np.repeat(np.arange(n_cows), days)
    dim = np.tile(np.arange(days), n_cows) * 3 + rng.integers(5, 200, n_cows)[cow]  # days in milk
    thi = 62 + 10 * np.sin(np.arange(len(cow)) % days / days * np.pi) + rng.normal(0, 3, len(cow))
    intake = rng.normal(22, 3, len(cow)) - 2.5 * breed_jersey[cow]
    rumination = rng.normal(480, 60, len(cow))
    weight = rng.normal(650, 50, n_cows)[cow] - 150 * breed_jersey[cow]
    wood = 28 * (dim / 50.0) ** 0.2 * np.exp(-0.004 * dim)  # Wood lactation curve shape
    y = (wood + 1.8 * np.minimum(parity[cow], 3) + 0.55 * (intake - 22) + 0.012 * (rumination - 480)
         - 0.35 * np.clip(thi - 68, 0, None) - 5 * breed_jersey[cow] + cow_level[cow] + rng.normal(0, 2.5, len(cow)))
    X = np.stack([dim, parity[cow], breed_jersey[cow], thi, intake, rumination, weight], axis=1).astype(np.float32)
    # high-yield cow-days come with more robot visits (milking permission is yield-based)
    z = (y - y.mean()) / y.std()
    visits = np.clip(np.round(2.6 + 1.1 * z + rng.normal(0, 0.6, len(y))), 1, 6).astype(int)
    return X, y.astype(np.float32), visits


def setup():
    rng = np.random.default_rng(5)
    X_a, y_a, visits_a = simulate_herd(120, 25, rng)   # robot barn
    X_b, y_b, _ = simulate_herd(40, 25, rng)           # validation group

    rows = np.repeat(np.arange(len(y_a)), visits_a)    # robot export -> training table
    X_tr, y_tr = X_a[rows], y_a[rows]

    mu, sd = X_tr.mean(0), X_tr.std(0)
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    f = lambda X: torch.tensor((X - mu) / sd, dtype=torch.float32)
    g = lambda y: torch.tensor((y - y_mu) / y_sd, dtype=torch.float32).unsqueeze(1)

    torch.manual_seed(5)
    model = nn.Sequential(nn.Linear(7, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    return nndoctor.Setup(
        model=model,
        train=(f(X_tr), g(y_tr)),
        val=(f(X_b), g(y_b)),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3, weight_decay=1e-5),
        batch_size=64,
    )
