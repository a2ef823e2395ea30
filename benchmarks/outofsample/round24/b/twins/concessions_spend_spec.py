"""Stadium concessions: spend per head at each stand's kiosks on match day.

One row per (match, stand): gate attendance, weather at kick-off, kick-off
hour, opponent, promotions. Target is food-and-beverage spend per attendee in
EUR, standardised for training. Matches are split into train/validation by
match id so a match never sits on both sides.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SEED = 3
STANDS = ["north", "south", "east", "west_premium"]


def load_match_days(n_matches=260, seed=SEED):
    rng = np.random.default_rng(seed)
    rows, target, match_id = [], [], []
    for m in range(n_matches):
        temp = rng.normal(14, 8)
        rain = max(0.0, rng.normal(0.5, 2.0))
        hour = rng.choice([12.5, 15.0, 17.5, 20.0])
        weekday = rng.integers(0, 7)
        derby = float(rng.random() < 0.08)
        form = rng.uniform(0, 15)                 # home points from last 5
        travel_km = rng.gamma(2.0, 150.0)
        promo = float(rng.random() < 0.25)
        price_idx = rng.normal(1.0, 0.06)
        for s, stand in enumerate(STANDS):
            fill = np.clip(rng.normal(0.78 + 0.15 * derby + 0.01 * form, 0.08), 0.3, 1.0)
            onehot = np.eye(len(STANDS))[s]
            x = [fill, temp, rain, hour, float(weekday >= 5), derby, form, travel_km, promo, price_idx, *onehot]
            beer = 6.0 * np.tanh((temp - 8) / 10) * (hour >= 17) + 3.0 * derby
            food = 4.0 + 2.5 * (hour in (12.5, 17.5)) + 1.5 * promo * (1 + (s == 3)) - 1.2 * np.log1p(rain)
            premium = 9.0 * (s == 3) * (0.6 + 0.4 * np.sin(form / 3.0))
            crowd = -5.0 * (fill - 0.8) ** 2 * 20 + 0.004 * travel_km * (s != 3)
            spend = (beer + food + premium + crowd) / price_idx ** 1.5 + rng.normal(0, 0.6)
            rows.append(x)
            target.append(spend)
            match_id.append(m)
    return np.array(rows), np.array(target), np.array(match_id)


def setup():
    torch.manual_seed(SEED)
    X, y, match = load_match_days()
    rng = np.random.default_rng(SEED)
    val_matches = rng.choice(match.max() + 1, size=70, replace=False)
    is_val = np.isin(match, val_matches)
    X_tr, y_tr, X_va, y_va = X[~is_val], y[~is_val], X[is_val], y[is_val]

    order = rng.permutation(len(X_tr))
    X_tr, y_tr = X_tr[order], y_tr[order]

    cont = slice(0, 10)                      # stand one-hots stay 0/1
    mu, sd = X_tr[:, cont].mean(0), X_tr[:, cont].std(0)
    X_tr[:, cont] = (X_tr[:, cont] - mu) / sd
    X_va[:, cont] = (X_va[:, cont] - mu) / sd
    y_mu, y_sd = y_tr.mean(), y_tr.std()

    def t(a):
        return torch.tensor(a, dtype=torch.float32)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 96), nn.SiLU(),
        nn.Linear(96, 96), nn.SiLU(),
        nn.Linear(96, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(t(X_tr), t((y_tr - y_mu) / y_sd).unsqueeze(1)),
        val=(t(X_va), t((y_va - y_mu) / y_sd).unsqueeze(1)),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
