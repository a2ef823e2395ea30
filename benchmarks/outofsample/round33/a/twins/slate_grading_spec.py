"""Roofing-slate grading from quarry block measurements (checkup spec).

Each record is one split block from the quarry register: dimensions, gauge
(thickness), density, cleavage deviation, mineral inclusions, absorption, a flexural
test on an offcut and the tap-resonance frequency. The grader assigns one of four
grades (best, heavy, rustic, reject); the register is kept by gauge.
"""
import numpy as np
import torch
from torch import nn
from sklearn.model_selection import train_test_split

import nndoctor

GRADES = ["best", "heavy", "rustic", "reject"]


def quarry_register(n, rng):
    gauge = rng.gamma(6.0, 1.3, n) + 3.0                      # mm
    length = rng.choice([400, 500, 600], n) + rng.normal(0, 4, n)
    width = length * rng.uniform(0.5, 0.62, n)
    density = rng.normal(2.78, 0.04, n)
    cleavage = np.abs(rng.normal(0, 2.5, n))                   # degrees off plane
    mica = rng.beta(2, 6, n) * 30                              # %
    pyrite = rng.poisson(0.4 + 0.12 * gauge, n)                # spots per block
    calcite = rng.gamma(1.5, 1.2, n)                           # %
    absorb = 0.12 + 0.015 * calcite + rng.gamma(2, 0.03, n)    # %
    strength = 60 + 3.0 * gauge - 0.8 * mica + rng.normal(0, 6, n)   # MPa
    tap = 2400 * gauge / length * 10 * np.sqrt(strength / 60) * rng.lognormal(0, 0.04, n)
    # grader's judgement: flatness/strength for thin gauges, inclusions for thick ones,
    # and the thickest blocks go to flooring, where absorption and pyrite decide
    thin = np.clip((9 - gauge) / 4, 0, 1)
    q_roof = (1.2 * thin * (strength - 75) / 8 - 0.9 * cleavage + 0.4 * (1 - thin) * (gauge - 9)
              - 0.7 * pyrite * (1 + (gauge > 10)) - 2.5 * np.maximum(absorb - 0.3, 0) / 0.1)
    q_floor = 0.5 - 1.2 * pyrite - 3.0 * np.maximum(absorb - 0.22, 0) / 0.1 - 0.2 * cleavage
    w = np.clip((gauge - 12) / 2, 0, 1)
    q = (1 - w) * q_roof + w * q_floor + rng.normal(0, 0.5, n)
    grade = np.select([q > -1.5, (q > -2.9) & (gauge > 8.5), q > -4.4], [0, 1, 2], 3)
    X = np.column_stack([length, width, gauge, density, cleavage, mica, pyrite, calcite,
                         absorb, strength, tap]).astype(np.float32)
    order = np.argsort(gauge, kind="stable")
    return X[order], grade[order]


def setup():
    rng = np.random.default_rng(31)
    X, y = quarry_register(4000, rng)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    torch.manual_seed(31)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, len(GRADES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X_tr), torch.tensor(y_tr)),
        val=(torch.tensor(X_va), torch.tensor(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )

