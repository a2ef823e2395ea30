"""Checkup spec: grading cultured pearls (reject / B / A / AA / AAA) from the grading bench.

The bench exports one CSV-like table per grading day, each with every pearl graded so far this
harvest (the export is cumulative); the audit team holds back a share of pearls for validation.
Features: diameter, roundness, luster, nacre thickness, blemish count and area, body-colour hue,
overtone strength, orient score and weight. MLP classifier.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_DAYS, PER_DAY = 12, 110
GRADES = ["reject", "B", "A", "AA", "AAA"]


def grade_day(rng, day, ids):
    n = len(ids)
    age = 1.5 + 0.12 * day + rng.normal(0, 0.3, n)                   # oysters harvested later are older
    diameter = 6.0 + 1.4 * age + rng.normal(0, 0.6, n)
    nacre = 0.25 + 0.18 * age + rng.gamma(2.0, 0.05, n)
    roundness = np.clip(rng.beta(8, 2, n) + 0.02 * (age - 2.5), 0.3, 1.0)
    luster = np.clip(0.35 + 0.5 * nacre / (nacre + 0.6) + rng.normal(0, 0.08, n), 0, 1)
    blemishes = rng.poisson(1.0 + 0.5 * day / N_DAYS, n)
    blemish_area = blemishes * rng.gamma(1.5, 0.6, n)
    hue = rng.normal(40 + 3 * (day % 4), 12, n)                       # degrees
    overtone = np.clip(rng.beta(3, 3, n), 0, 1)
    orient = np.clip(0.6 * luster + 0.4 * overtone + rng.normal(0, 0.07, n), 0, 1)
    weight = 0.0094 * diameter ** 3 * (0.9 + 0.1 * roundness) + rng.normal(0, 0.05, n)
    score = (2.2 * luster + 1.6 * roundness + 1.2 * nacre + 0.8 * orient - 0.35 * blemish_area
             - 0.25 * blemishes + 0.05 * (diameter - 9) + rng.normal(0, 0.15, n))
    grade = np.digitize(score, [2.4, 3.0, 3.5, 3.95])
    X = np.column_stack([diameter, roundness, luster, nacre, blemishes, blemish_area, hue, overtone,
                         orient, weight]).astype(np.float32)
    return ids, X, grade.astype(np.int64)


def setup():
    rng = np.random.default_rng(2024)
    torch.manual_seed(2024)
    # pearls graded day by day; a fifth of each day's pearls go to the audit tray
    rows, audit = [], []
    for day in range(N_DAYS):
        ids = np.arange(day * PER_DAY, (day + 1) * PER_DAY)
        pid, X, g = grade_day(rng, day, ids)
        held = rng.random(PER_DAY) < 0.2
        rows.append((pid[~held], X[~held], g[~held]))
        audit.append((X[held], g[held]))
    # day d's export holds every pearl graded on days 0..d
    snapshots = []
    for d in range(N_DAYS):
        snapshots.append(np.concatenate([np.column_stack([r[1], r[2]]) for r in rows[:d + 1]]))
    table = np.concatenate(snapshots)

    X_tr, y_tr = table[:, :-1].astype(np.float32), table[:, -1].astype(np.int64)
    X_va = np.concatenate([a[0] for a in audit])
    y_va = np.concatenate([a[1] for a in audit])
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    model = nn.Sequential(
        nn.Linear(X_tr.shape[1], 128), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, len(GRADES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
