"""Checkup spec: sawmill log grading from the scaling-station scan (grade 0 = veneer ... 3 = pulp).

The scaling station exports one row per log; grades were assigned by the yard grader.
Model: MLP with LayerNorm and dropout, AdamW.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

GRADES = ["veneer", "sawlog_1", "sawlog_2", "pulp"]


def scaling_station_export(n, rng):
    sed = rng.gamma(9.0, 3.6, n) + 12                      # small-end diameter, cm
    taper = rng.normal(0.9, 0.25, n).clip(0.2)             # cm per m
    length = rng.choice([3.1, 3.7, 4.3, 4.9, 5.5], n) + rng.normal(0, 0.05, n)
    led = sed + taper * length
    sweep = rng.gamma(2.0, 0.8, n)                         # cm per m
    knots = rng.poisson(2 + 0.08 * (60 - sed).clip(0), n)   # per metre
    knot_max = rng.gamma(2.5, 1.2, n) + 0.05 * sed
    ring_mm = rng.lognormal(np.log(2.5), 0.35, n)
    density = rng.normal(450, 35, n)
    X = np.column_stack([sed, led, length, taper, sweep, knots, knot_max, ring_mm, density]).astype(np.float32)
    q = (0.09 * (sed - 40) - 0.9 * sweep - 0.45 * knots - 0.35 * knot_max
         - 0.5 * np.abs(np.log(ring_mm / 2.5)) * 3 + 0.01 * (density - 450) + rng.normal(0, 0.8, n))
    grade = 3 - np.digitize(q, [-5.0, -3.0, -1.2])
    order = np.argsort(sed, kind="stable")
    return X[order], grade[order].astype(np.int64)


def setup():
    rng = np.random.default_rng(11)
    torch.manual_seed(0)
    X, y = scaling_station_export(3000, rng)
    idx = np.arange(len(y))
    n_tr = int(0.8 * len(y))
    tr, va = idx[:n_tr], idx[n_tr:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = (X - mu) / sd
    model = nn.Sequential(
        nn.Linear(X.shape[1], 96), nn.LayerNorm(96), nn.GELU(), nn.Dropout(0.1),
        nn.Linear(96, 48), nn.GELU(),
        nn.Linear(48, len(GRADES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X[tr]), torch.tensor(y[tr])),
        val=(torch.tensor(X[va]), torch.tensor(y[va])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=32,
    )
