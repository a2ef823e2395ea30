"""Grip-wax recommendation for classic cross-country skiing (checkup spec).

Each row is one morning on a test loop: air and snow temperature, relative humidity,
days since snowfall, wind, sun, and whether the track was machine-groomed. Training labels
come from three wax testers' picks per morning; the validation mornings were settled by
timed glide/grip runs on the loop. Classes: 0 green hard wax, 1 blue, 2 violet,
3 red/klister-cover, 4 universal klister.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_WAX = 5


def wax_chart(snow_t, rh, age, groomed):
    score = snow_t + 0.04 * (rh - 70) - 0.35 * np.log1p(age) + 0.8 * groomed * (age > 3)
    wax = np.digitize(score, [-9.0, -4.5, -1.8, 0.2])
    return wax


def load_mornings(n, rng):
    air = rng.normal(-5, 6, n)
    snow = np.minimum(air - rng.exponential(1.5, n), 0.0)
    rh = np.clip(rng.normal(75, 12, n), 30, 100)
    age = rng.exponential(3.0, n)
    wind = rng.gamma(2.0, 1.5, n)
    sun = rng.random(n)
    groomed = (rng.random(n) < 0.6).astype(float)
    X = np.stack([air, snow, rh, np.log1p(age), wind, sun, groomed], 1).astype(np.float32)
    return X, wax_chart(snow, rh, age, groomed)


def tester_votes(truth, rng, error_rates=(0.35, 0.08, 0.10)):
    votes = np.repeat(truth[:, None], len(error_rates), 1)
    for k, p in enumerate(error_rates):
        wrong = rng.random(len(truth)) < p
        votes[wrong, k] = rng.integers(0, N_WAX, wrong.sum())
    return votes


def majority(votes):
    return np.array([np.bincount(v, minlength=N_WAX).argmax() for v in votes])


def setup():
    rng = np.random.default_rng(5)
    torch.manual_seed(5)
    X_tr, truth_tr = load_mornings(2400, rng)
    X_va, y_va = load_mornings(600, rng)
    votes = tester_votes(truth_tr, rng)
    y_tr = majority(votes)

    cont = [0, 1, 2, 3, 4, 5]
    mu, sd = X_tr[:, cont].mean(0), X_tr[:, cont].std(0)
    X_tr[:, cont] = (X_tr[:, cont] - mu) / sd
    X_va[:, cont] = (X_va[:, cont] - mu) / sd

    model = nn.Sequential(
        nn.Linear(7, 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, N_WAX),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr).long()),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va).long()),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=1e-3),
        batch_size=64,
    )
