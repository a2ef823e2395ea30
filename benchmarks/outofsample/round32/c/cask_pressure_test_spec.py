"""Checkup spec: will a new oak cask pass the cooperage's pressure test?

Before a cask is filled, four staves are measured on the bench (thickness,
moisture, toast, tap resonance, ...). The pressure test afterwards sorts casks
into tight / weeper / leaker. We predict the outcome per stave reading so the
bench can flag a cask before it is hooped.
"""
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor

OUTCOMES = ["tight", "weeper", "leaker"]
READINGS = ["stave_mm", "moisture_pct", "toast_level", "char_mm", "tap_hz", "density",
            "rings_per_cm", "joint_gap_mm", "hoop_torque", "bilge_bow_mm"]
STAVES_PER_CASK = 4


def bench_log(n_casks, seed=0):
    rng = np.random.default_rng(seed)
    cask = rng.normal(0, 1, size=(n_casks, len(READINGS)))
    hidden_flaw = rng.normal(0, 1, n_casks)          # a knot or shake nobody measured
    risk = 0.9 * cask[:, 1] + 0.7 * cask[:, 7] - 0.6 * cask[:, 0] + 0.5 * cask[:, 4] * cask[:, 5] \
        - 0.4 * cask[:, 6] + 0.5 * np.abs(cask[:, 9]) + 0.4 * hidden_flaw
    outcome = np.digitize(risk, np.quantile(risk, [0.55, 0.85]))
    X = np.repeat(cask, STAVES_PER_CASK, axis=0) \
        + rng.normal(0, 0.1, size=(n_casks * STAVES_PER_CASK, len(READINGS)))
    units = np.array([27.0, 14.0, 2.5, 3.0, 410.0, 0.72, 9.0, 0.15, 55.0, 40.0])
    scales = np.array([2.0, 2.5, 0.8, 1.0, 35.0, 0.05, 2.5, 0.05, 8.0, 4.0])
    X = units + scales * X
    y = np.repeat(outcome, STAVES_PER_CASK)
    cask_id = np.repeat(np.arange(n_casks), STAVES_PER_CASK)
    return X.astype(np.float32), y.astype(np.int64), cask_id


def setup():
    torch.manual_seed(1)
    X, y, cask_id = bench_log(1200, seed=9)
    idx = np.arange(len(X))
    tr, va = train_test_split(idx, test_size=0.2, random_state=0, stratify=y)
    mu, sd = X[tr].mean(0), X[tr].std(0)
    Xs = (X - mu) / sd

    model = nn.Sequential(
        nn.Linear(len(READINGS), 64), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(64, len(OUTCOMES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xs[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(Xs[va]), torch.from_numpy(y[va])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05),
        batch_size=64,
    )
