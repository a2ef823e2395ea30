"""Hourly bike-share rentals per station as a Poisson regression with an MLP.

Counts are modelled on their natural scale with a log link: the network outputs the
log-rate, the loss is PoissonNLLLoss(log_input=True), and the output bias starts at the
log of the mean training count. Continuous weather/time features are standardised;
weekday, weather situation and station type are one-hot and left as 0/1.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_TRAIN = 5000


def rentals(n, seed=41):
    rng = np.random.default_rng(seed)
    hour = rng.integers(0, 24, n)
    dow = rng.integers(0, 7, n)
    temp = rng.normal(16, 8, n)
    hum = np.clip(rng.normal(60, 15, n), 10, 100)
    wind = rng.gamma(2.0, 6.0, n)
    weather = rng.choice(3, n, p=[0.65, 0.27, 0.08])
    station = rng.choice(3, n, p=[0.5, 0.3, 0.2])
    workday = dow < 5
    commute = workday * (np.exp(-0.5 * ((hour - 8) / 1.2) ** 2) + np.exp(-0.5 * ((hour - 17.5) / 1.5) ** 2))
    leisure = (~workday) * np.exp(-0.5 * ((hour - 14) / 3.0) ** 2)
    log_rate = (2.6 + 1.6 * commute + 1.3 * leisure + 0.04 * (temp - 16) - 0.002 * (temp - 22) ** 2
                - 0.01 * (hum - 60) - 0.02 * wind - np.array([0.0, 0.3, 1.1])[weather]
                + np.array([0.8, 0.0, -0.6])[station] - 1.0 * ((hour < 6) | (hour > 22)))
    y = rng.poisson(np.exp(log_rate)).astype(np.float32)
    cont = np.column_stack([np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24), temp, hum, wind])
    cats = np.column_stack([np.eye(7)[dow], np.eye(3)[weather], np.eye(3)[station]])
    return cont.astype(np.float32), cats.astype(np.float32), y


def setup():
    torch.manual_seed(41)
    cont, cats, y = rentals(6500)
    mu, sd = cont[:N_TRAIN].mean(0), cont[:N_TRAIN].std(0)
    X = np.concatenate([(cont - mu) / sd, cats], axis=1).astype(np.float32)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 1), nn.Flatten(0),
    )
    with torch.no_grad():
        model[4].bias.fill_(float(np.log(y[:N_TRAIN].mean())))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:N_TRAIN]), torch.from_numpy(y[:N_TRAIN])),
        val=(torch.from_numpy(X[N_TRAIN:]), torch.from_numpy(y[N_TRAIN:])),
        loss=nn.PoissonNLLLoss(log_input=True),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
