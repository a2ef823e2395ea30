"""Churn prediction for a mobile operator's prepaid-to-contract customers (checkup spec).

Features per customer: tenure, monthly fee, plan allowance vs actual usage, support calls,
dropped-call rate, roaming share, payment delays, device age, plus a one-hot region.
A customer on a plan that does not fit their usage (far above or far below the allowance)
is the typical leaver.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def make_customers(n, rng):
    tenure = rng.gamma(2.0, 14.0, n)
    fee = rng.choice([15.0, 25.0, 40.0, 60.0], n)
    allowance = fee * rng.uniform(0.35, 0.45, n)  # GB per month
    usage = allowance * np.exp(rng.normal(0, 0.7, n))
    calls = rng.poisson(1.2, n)
    dropped = rng.beta(2, 40, n)
    roaming = rng.beta(1, 12, n)
    delays = rng.poisson(0.4, n)
    device_age = rng.uniform(0, 48, n)
    region = rng.integers(0, 4, n)

    fit_gap = np.abs(np.log(usage / allowance))
    score = (3.0 * (fit_gap - 0.55) - 0.04 * (tenure - 24) + 0.5 * (calls >= 3) + 12 * (dropped - 0.05)
             + 0.6 * delays * (tenure < 12))
    churn = (score + rng.logistic(0, 0.35, n) > 0).astype(np.int64)

    X = np.column_stack([
        np.log1p(tenure), np.log(fee), np.log(allowance), np.log(usage), calls, dropped * 100,
        roaming * 100, delays, device_age / 12, np.eye(4)[region],
    ]).astype(np.float32)
    return X, churn


def make_mlp(n_in, widths=(128, 64), p_drop=0.1):
    layers, prev = [], n_in
    for w in widths:
        layers += [nn.Linear(prev, w), nn.Dropout(p_drop)]
        prev = w
    layers.append(nn.Linear(prev, 2))
    return nn.Sequential(*layers)


def setup():
    rng = np.random.default_rng(11)
    torch.manual_seed(11)
    X, y = make_customers(4000, rng)
    n_tr = 3200
    cont = slice(0, 9)
    mu, sd = X[:n_tr, cont].mean(0), X[:n_tr, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    model = make_mlp(X.shape[1])
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
