"""Fleece line from the shearing-shed measurements (checkup spec).

The shed's fleece tester records each fleece by its tag (mean fibre diameter, its spread,
staple length, staple strength, yield, vegetable matter, the sheep's age); the wool classer's
sheet gives the line each fleece went into. The two exports are joined by tag and an MLP learns
the classer's line from the measurements. Data are simulated from a seeded clip.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

LINES = ["superfine", "fine", "medium", "strong"]


def shearing_clip(n, rng):
    tags = [f"NZ{rng.integers(10**6, 10**7)}" for _ in range(n)]
    age = rng.integers(1, 7, n)
    micron = rng.normal(18.5, 2.2, n) + 0.35 * age
    cv = rng.normal(20, 3, n)
    staple = rng.normal(85, 12, n) - 0.8 * (micron - 18)
    strength = rng.normal(36, 8, n) - 0.15 * cv
    yield_pct = rng.normal(68, 6, n)
    vm = rng.gamma(1.5, 0.7, n)
    tester = {t: np.array([m, c, s, st, y, v, a], dtype=np.float32)
              for t, m, c, s, st, y, v, a in zip(tags, micron, cv, staple, strength, yield_pct,
                                                   vm, age)}
    # the classer lines by diameter first, then downgrades tender or short fleeces
    score = micron + 0.08 * np.clip(30 - strength, 0, None) + 0.04 * np.clip(70 - staple, 0, None)
    score += rng.normal(0, 0.6, n)
    line = np.digitize(score, [17.5, 19.5, 21.5])
    order = rng.permutation(n)
    classer = {tags[i]: int(line[i]) for i in order}
    return tester, classer


def setup():
    torch.manual_seed(21)
    rng = np.random.default_rng(21)
    tester, classer = shearing_clip(1600, rng)

    tags = sorted(tester)
    X = np.stack([tester[t] for t in tags])
    y = np.array(list(classer.values()), dtype=np.int64)

    idx = rng.permutation(len(tags))
    tr, va = idx[:1280], idx[1280:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = (X - mu) / sd

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, len(LINES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X[tr]), torch.tensor(y[tr])),
        val=(torch.tensor(X[va]), torch.tensor(y[va])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
