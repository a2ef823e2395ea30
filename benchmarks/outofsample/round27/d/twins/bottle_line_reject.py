"""Glass-bottle inspection line: decide reject / pass from the inspection
machine's per-bottle measurements (laser wall-thickness at four heights, ovality,
bubble and stone counts, neck-finish deviation, weight, seam height, base
thickness, amber density). About 6% of bottles are rejects.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def make_bottles(n, rng):
    wall = rng.normal(2.4, 0.18, size=(n, 4))              # mm at heel, body, shoulder, neck
    wall[:, 3] -= 0.5
    ovality = rng.gamma(2.0, 0.08, n)                       # mm
    bubbles = rng.poisson(1.2, n).astype(float)
    stones = rng.poisson(0.15, n).astype(float)
    finish = rng.normal(0.0, 0.06, n)                       # mm deviation
    weight = rng.normal(385.0, 4.0, n) + 40 * (wall.mean(1) - 2.275)
    seam = rng.gamma(2.0, 0.03, n)
    base = rng.normal(3.8, 0.3, n)
    density = rng.normal(0.62, 0.04, n)
    X = np.column_stack([wall, ovality, bubbles, stones, finish, weight, seam, base, density])
    thin = wall[:, :3].min(1) < 2.0
    score = (2.6 * thin + 1.2 * (ovality > 0.42) + 0.6 * bubbles / 3 + 1.6 * (stones >= 1) * (wall[:, 1] < 2.35)
             + 2.0 * (np.abs(finish) > 0.14) + 1.0 * (seam > 0.13) + rng.normal(0, 0.35, n))
    y = (score > 2.2).astype(np.float32)
    return X.astype(np.float32), y


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = make_bottles(5000, rng)
    Xtr, ytr, Xva, yva = X[:4000], y[:4000], X[4000:], y[4000:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    n_pos = float(ytr.sum())
    n_neg = float(len(ytr) - n_pos)
    pos_weight = torch.tensor([n_neg / n_pos])

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)[:, None]),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)[:, None]),
        loss=nn.BCEWithLogitsLoss(pos_weight=pos_weight),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=64,
    )
