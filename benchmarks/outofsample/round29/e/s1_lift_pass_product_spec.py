"""Ski resort ticketing: which lift-pass product a web-shop visitor ends up buying.

Products: single day, afternoon, three-day, season. Day passes dominate; season passes are
rare, so the loss is class-weighted (inverse training frequency). Inputs mix sparse one-hot
blocks (sales channel, age band, home resort of the pass, weekday of the first ski day),
left as 0/1, with a few standardised continuous columns (log lead time, party size, snow
depth, price index). The model is deliberately small: one hidden layer of 24 units.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

PRODUCTS = ["day", "afternoon", "three_day", "season"]


def make_data(n, rng):
    channel = rng.integers(0, 4, n)          # web, app, kiosk, partner hotel
    age = rng.integers(0, 5, n)              # child, youth, adult, senior, family
    resort = rng.integers(0, 6, n)
    weekday = rng.integers(0, 7, n)
    lead = rng.exponential(9.0, n)           # days between purchase and first ski day
    party = rng.integers(1, 7, n).astype(float)
    snow = rng.gamma(3.0, 30.0, n)           # cm at the summit
    price = rng.normal(1.0, 0.08, n)
    hotel = (channel == 3).astype(float)
    score = np.zeros((n, 4))
    score[:, 0] = 1.0 + 0.4 * (weekday >= 5)
    score[:, 1] = 0.51 + 2.6 * (lead < 1.5) * (channel == 2) * (weekday < 5) + 0.8 * (age == 3)
    score[:, 2] = -0.14 + 2.4 * hotel * (party >= 3) + 0.9 * (lead > 4) * (lead < 30) - 2.0 * (price - 1)
    score[:, 3] = 0.09 + 2.6 * (lead > 20) * (snow > 100) + 1.4 * (resort == 0) * (age <= 1)
    score = score * 7.0
    p = np.exp(score - score.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    y = (p.cumsum(1) > rng.random((n, 1))).argmax(1)
    onehot = np.concatenate([np.eye(4)[channel], np.eye(5)[age], np.eye(6)[resort], np.eye(7)[weekday]], 1)
    cont = np.stack([np.log1p(lead), party, snow, price], 1)
    return onehot, cont, y


def setup():
    rng = np.random.default_rng(42)
    torch.manual_seed(42)
    onehot, cont, y = make_data(4000, rng)
    tr, va = np.arange(3200), np.arange(3200, 4000)
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([onehot, (cont - mu) / sd], 1).astype(np.float32)
    counts = np.bincount(y[tr], minlength=4)
    weight = torch.tensor(len(tr) / (4 * counts), dtype=torch.float32)
    model = nn.Sequential(nn.Linear(X.shape[1], 24), nn.ReLU(), nn.Linear(24, 4))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr]).long()),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va]).long()),
        loss=nn.CrossEntropyLoss(weight=weight),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3, weight_decay=1e-4),
        batch_size=64,
    )
