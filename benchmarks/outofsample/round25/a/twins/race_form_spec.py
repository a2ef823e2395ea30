"""Place (top-3) probability for flat-race runners from their form card.

One row per runner: recent finishing positions, layoff, weight, draw, jockey/trainer strike
rates, course-and-distance record, going preference. Trained on last season's handicaps,
validated on the spring meetings.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def form_cards(n_races=260, seed=11):
    rng = np.random.default_rng(seed)
    rows, placed = [], []
    for r in range(n_races):
        field = rng.integers(7, 13)
        going = rng.integers(0, 3)                          # firm / good / soft
        dist = rng.choice([1.0, 1.25, 1.5, 2.0])            # miles
        ability = rng.normal(0, 1, field)
        last5 = np.clip(np.round(field / 2 - 2.0 * ability[:, None] + rng.normal(0, 1.8, (field, 5))), 1, field)
        layoff = rng.gamma(2.0, 20.0, field)
        weight = 126 + 6 * ability + rng.normal(0, 4, field)   # handicapper loads the better horses
        draw = rng.permutation(field) + 1
        jockey = np.clip(rng.beta(2, 14, field) + 0.02 * ability, 0.01, 0.5)
        trainer = np.clip(rng.beta(2, 12, field) + 0.02 * ability, 0.01, 0.5)
        cd_wins = rng.poisson(np.exp(0.3 * ability - 1.0))
        pref = rng.integers(0, 3, field)
        speed = (ability - 0.08 * (weight - 126) - 0.004 * np.abs(layoff - 35)
                 + 0.4 * (pref == going) - 0.03 * draw * (dist < 1.2)
                 + 2.0 * (jockey - 0.12) + rng.normal(0, 0.8, field))
        order = np.argsort(-speed)
        top3 = np.zeros(field, dtype=np.float32)
        top3[order[:3]] = 1
        goings = np.eye(3)[np.full(field, going)]
        prefs = np.eye(3)[pref]
        feats = np.column_stack([
            last5 / field, last5.mean(1) / field, layoff / 30, (weight - 126) / 6, draw / field,
            jockey * 10, trainer * 10, cd_wins, np.full(field, dist), np.full(field, field) / 10,
            goings, prefs])
        rows.append(feats)
        placed.append(top3)
    return np.concatenate(rows).astype(np.float32), np.concatenate(placed)


def runner_net(n_in, widths, p_drop):
    layers, d = [], n_in
    for w in widths:
        layers += [nn.Linear(d, w), nn.ReLU(), nn.Dropout(p_drop)]
        d = w
    layers.append(nn.Linear(d, 1))
    return nn.Sequential(*layers)


class PlaceModel(nn.Module):
    def __init__(self, n_in, widths=(32,), p_drop=0.3):
        super().__init__()
        self.net = runner_net(n_in, widths, p_drop)

    def forward(self, x):
        return self.net(x).squeeze(-1)


def setup():
    torch.manual_seed(3)
    X, y = form_cards()
    n_tr = int(0.55 * len(X))                 # races in date order
    n_num = X.shape[1] - 6                    # going / preference one-hots stay 0/1
    mu, sd = X[:n_tr, :n_num].mean(0), X[:n_tr, :n_num].std(0)
    X[:, :n_num] = (X[:, :n_num] - mu) / sd
    X = torch.from_numpy(X)
    y = torch.from_numpy(y)
    model = PlaceModel(X.shape[1])
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
