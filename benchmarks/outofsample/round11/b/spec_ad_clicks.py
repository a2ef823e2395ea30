"""Checkup spec: click-through prediction on display-ad impressions.

Categorical fields are one-hot encoded and fed as 0/1 columns (not standardised); only the
three continuous fields are standardised. The advertiser field is long-tailed, so many of its
columns are almost always 0. The output bias starts at the log prior odds of a click.
"""
import math

import numpy as np
import torch
from torch import nn

import nndoctor

FIELDS = {"slot": 8, "device": 4, "hour": 24, "advertiser": 60}


def impressions(n, seed=8):
    rng = np.random.default_rng(seed)
    adv_pop = 1.0 / np.arange(1, FIELDS["advertiser"] + 1) ** 1.1
    cats = {
        "slot": rng.integers(0, FIELDS["slot"], n),
        "device": rng.choice(FIELDS["device"], n, p=[0.55, 0.3, 0.1, 0.05]),
        "hour": rng.integers(0, 24, n),
        "advertiser": rng.choice(FIELDS["advertiser"], n, p=adv_pop / adv_pop.sum()),
    }
    cont = np.column_stack([
        rng.normal(0, 1, n),                      # user engagement score
        np.log1p(rng.exponential(3.0, n)),        # log days since last visit
        rng.beta(2, 5, n) * 100,                  # page scroll depth (%)
    ])
    slot_eff = rng.normal(0, 0.6, FIELDS["slot"])
    dev_eff = np.array([0.0, 0.3, -0.4, 0.2])
    hour_eff = 0.4 * np.sin(np.arange(24) / 24 * 2 * np.pi)
    adv_eff = rng.normal(0, 0.7, FIELDS["advertiser"])
    logit = (-1.9 + slot_eff[cats["slot"]] + dev_eff[cats["device"]] + hour_eff[cats["hour"]]
             + adv_eff[cats["advertiser"]] + 0.6 * cont[:, 0] - 0.3 * cont[:, 1]
             + 0.012 * cont[:, 2] + 0.4 * cont[:, 0] * (cats["device"] == 1))
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    onehots = [np.eye(k, dtype=np.float32)[cats[f]] for f, k in FIELDS.items()]
    return np.concatenate(onehots, 1), cont.astype(np.float32), y


def setup():
    onehot, cont, y = impressions(30000)
    n_tr = 25000
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    X = np.concatenate([onehot, (cont - mu) / sd], 1).astype(np.float32)
    X_tr, y_tr, X_va, y_va = X[:n_tr], y[:n_tr], X[n_tr:], y[n_tr:]

    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 1),
    )
    prior = float(y_tr.mean())
    with torch.no_grad():
        model[-1].bias.fill_(math.log(prior / (1 - prior)))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)[:, None]),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)[:, None]),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05),
        batch_size=256,
        name="ad-clicks",
    )
