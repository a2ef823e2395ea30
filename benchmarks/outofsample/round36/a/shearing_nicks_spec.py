"""Shearing-shed records: expected number of skin nicks per sheep shorn.

One row per sheep: shearer, animal and handpiece measurements taken in the shed.
Target is the count of nicks the wool-handler logged for that sheep (mostly 0).
The net predicts a log-rate; loss is Poisson NLL on the raw counts.
"""
import math

import numpy as np
import torch
from torch import nn

import nndoctor

BREEDS = ["merino", "corriedale", "romney", "texel"]


def shed_records(n, rng):
    experience = rng.gamma(3.0, 3.0, n)                 # years shearing
    age = rng.uniform(1, 8, n)                          # sheep age, years
    fleece = rng.normal(4.5, 1.0, n).clip(1.5, 9)       # kg greasy
    wrinkle = rng.beta(2, 4, n) * 5                     # skin-fold index
    run_count = rng.integers(1, 220, n)                 # sheep already shorn today
    comb_wear = rng.gamma(2.0, 0.15, n)                 # mm
    rpm = rng.normal(2900, 150, n)                      # handpiece speed
    shed_temp = rng.normal(18, 6, n)
    breed = rng.choice(4, n, p=[0.45, 0.2, 0.2, 0.15])
    breed_eff = np.array([0.5, 0.0, -0.3, -0.4])[breed]
    log_rate = (-2.8 + 0.55 * wrinkle - 0.9 * np.log1p(experience) + 0.004 * run_count
                + 1.1 * comb_wear + 0.08 * (fleece - 4.5) + breed_eff
                + 0.02 * np.maximum(shed_temp - 24, 0) ** 1.5
                + 0.6 * wrinkle * (comb_wear > 0.4))
    nicks = rng.poisson(np.exp(log_rate))
    cont = np.column_stack([experience, age, fleece, wrinkle, run_count, comb_wear, rpm, shed_temp])
    return cont, np.eye(4)[breed], nicks


def init_weights(m, log_rate):
    if isinstance(m, nn.Linear):
        if m.out_features == 1:
            nn.init.normal_(m.weight, std=0.01)
        else:
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        nn.init.constant_(m.bias, log_rate)


def setup():
    rng = np.random.default_rng(2024)
    torch.manual_seed(2024)
    cont, breed, nicks = shed_records(12000, rng)
    n_tr = 9600
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    X = np.hstack([(cont - mu) / sd, breed]).astype(np.float32)
    y = nicks.astype(np.float32)[:, None]

    model = nn.Sequential(
        nn.Linear(X.shape[1], 32), nn.ReLU(),
        nn.Linear(32, 32), nn.ReLU(),
        nn.Linear(32, 16), nn.ReLU(),
        nn.Linear(16, 1),
    )
    model.apply(lambda m: init_weights(m, math.log(y[:n_tr].mean())))

    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])),
        loss=nn.PoissonNLLLoss(log_input=True),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=256,
        task="regression",
    )
