"""Checkup spec: serve type (flat, slice, kick) from a ball-tracking system's per-serve measurements.

Eleven tracked quantities per serve (speed, spin, spin axis, net clearance, bounce position, toss
position, ...), standardised with training statistics. The network is deliberately small (two hidden
layers of 24 with BatchNorm): the decision surface is simple and the tournament feed is ~2k serves.
Split by match, so no match's serves are on both sides. SGD with Nesterov momentum.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SERVES = ["flat", "slice", "kick"]


def _serves(rng, n_matches=60, per_match=40):
    rows, labels, match = [], [], []
    for m in range(n_matches):
        server_speed = rng.normal(0, 6)  # player effect on speed, km/h
        server_spin = rng.normal(0, 250)  # rpm
        lefty = rng.random() < 0.15
        for _ in range(per_match):
            s = rng.choice(3, p=[0.45, 0.3, 0.25])
            speed = [198, 178, 165][s] + server_speed + rng.normal(0, 12)
            spin = [1100, 2300, 2900][s] + server_spin + rng.normal(0, 650)
            axis = [0, 60, -20][s] * (-1 if lefty else 1) + rng.normal(0, 40)  # degrees from topspin
            net_clear = [0.25, 0.35, 0.75][s] + rng.normal(0, 0.3)  # metres
            bounce_x = rng.normal([0.0, 0.55, -0.2][s] * (-1 if lefty else 1), 0.6)
            bounce_y = rng.normal([5.6, 5.1, 4.9][s], 0.35)
            kick_height = [0.9, 0.8, 1.35][s] + rng.normal(0, 0.35)
            toss_x = [0.1, 0.35, -0.2][s] * (-1 if lefty else 1) + rng.normal(0, 0.4)
            toss_h = rng.normal(2.9, 0.25)
            contact_h = rng.normal(2.85, 0.1)
            second = float(rng.random() < (0.15 if s == 0 else 0.5))
            rows.append([speed, spin, axis, net_clear, bounce_x, bounce_y, kick_height, toss_x, toss_h,
                         contact_h, second])
            labels.append(s)
            match.append(m)
    return np.array(rows, np.float32), np.array(labels), np.array(match)


def setup():
    rng = np.random.default_rng(31)
    torch.manual_seed(31)
    X, y, match = _serves(rng)
    val_matches = rng.permutation(60)[:12]
    va = np.isin(match, val_matches)
    mu, sd = X[~va].mean(0), X[~va].std(0)
    mu[-1], sd[-1] = 0.0, 1.0  # second-serve flag stays 0/1
    X = (X - mu) / sd
    model = nn.Sequential(
        nn.Linear(X.shape[1], 24), nn.BatchNorm1d(24), nn.ReLU(),
        nn.Linear(24, 24), nn.BatchNorm1d(24), nn.ReLU(),
        nn.Linear(24, len(SERVES)),
    )
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    return nndoctor.Setup(
        model=model,
        train=(Xt[~va], yt[~va]),
        val=(Xt[va], yt[va]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True,
                                                 weight_decay=1e-4),
        batch_size=32,
    )
