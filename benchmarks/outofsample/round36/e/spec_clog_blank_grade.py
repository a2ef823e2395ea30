"""Clog workshop: grade turned alder/willow/poplar blanks before carving (A / B / reject).

Per blank: moisture content, density, growth rings per cm, knot count (a count, kept as a
count after log1p), checks (crack) length, sole thickness, time seasoning, and whether the
blank is heartwood (a 0/1 flag, passed through unscaled). Most blanks are grade A, rejects
are rare, so the cross-entropy is class-weighted (inverse square-root frequency) with light
label smoothing; the continuous columns are standardised with training statistics.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def _blanks(n, rng):
    species = rng.integers(0, 3, n)
    moisture = rng.normal(16, 3.5, n) + 2 * (species == 1)
    density = np.array([430, 390, 450])[species] + rng.normal(0, 35, n)
    rings = rng.gamma(4, 1.2, n)
    knots = rng.poisson(1.2, n)
    checks = rng.exponential(6, n) * (1 + 0.08 * np.clip(moisture - 16, 0, None))
    thickness = rng.normal(32, 1.5, n)
    season_weeks = rng.uniform(4, 40, n)
    heart = (rng.random(n) < 0.4).astype(float)
    badness = (0.18 * np.clip(moisture - 18, 0, None) + 0.5 * knots + 0.09 * checks
               - 0.015 * (density - 420) - 0.04 * season_weeks + 0.4 * (1 - heart)
               + 0.35 * np.abs(thickness - 32) + rng.normal(0, 0.45, n))
    grade = np.digitize(badness, np.quantile(badness, [0.72, 0.91]))     # ~72% A, 19% B, 9% reject
    cont = np.column_stack([moisture, density, rings, np.log1p(knots), checks, thickness, season_weeks])
    return cont.astype(np.float32), heart.astype(np.float32), grade.astype(np.int64)


def setup():
    rng = np.random.default_rng(31)
    torch.manual_seed(31)
    cont, heart, y = _blanks(2000, rng)
    tr, va = np.arange(1500), np.arange(1500, 2000)
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([(cont - mu) / sd, heart[:, None]], axis=1).astype(np.float32)

    counts = np.bincount(y[tr], minlength=3).astype(np.float32)
    w = 1.0 / np.sqrt(counts / counts.sum())
    w = w / w.mean()

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.LayerNorm(64), nn.GELU(), nn.Dropout(0.1),
        nn.Linear(64, 32), nn.GELU(),
        nn.Linear(32, 3),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.CrossEntropyLoss(weight=torch.from_numpy(w), label_smoothing=0.05),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=32,
    )
