"""Typewriter restoration workshop: which parts will an incoming machine need?

Intake sheet per machine: maker (one of 24) and decade of manufacture, both one-hot and left
as 0/1, plus ten bench measurements (platen hardness, carriage travel force, key-dip depth,
rust score, ...) standardised with training statistics. Targets are six parts that may be
replaced, several per machine (multi-label). Rare parts get a positive-class weight.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

PARTS = ["ribbon_vibrator", "platen", "drawband", "escapement_pawl", "type_slugs", "rubber_feet"]
N_MAKERS, N_DECADES, N_MEAS = 24, 8, 10


def intake(n, rng):
    maker = rng.integers(0, N_MAKERS, n)
    decade = np.minimum(rng.poisson(3.0, n), N_DECADES - 1)
    maker_fx = rng.normal(0, 0.8, (N_MAKERS, len(PARTS)))
    meas = rng.normal(size=(n, N_MEAS))
    age = decade / (N_DECADES - 1)
    logit = np.stack([
        -1.0 + 1.5 * meas[:, 0] + 0.8 * age,                                  # vibrator: bent
        -0.5 + 2.0 * meas[:, 1] * (0.5 + age),                                # platen: hard with age
        -1.5 + 1.2 * np.abs(meas[:, 2]) + 0.9 * np.maximum(meas[:, 3], 0),    # drawband: travel force
        -2.5 + 2.5 * meas[:, 4] * (meas[:, 5] > 0),                           # escapement: skipping
        -3.0 + 2.0 * np.maximum(meas[:, 6], meas[:, 7]) + 1.0 * age,          # slugs: worn faces
        -1.0 + 2.5 * age - 1.2 * meas[:, 7] * meas[:, 0],                     # feet: perished rubber
    ], 1) * 1.6 + maker_fx[maker] + 0.2 * meas[:, 8:9]
    Y = (rng.random(logit.shape) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    onehot_m = np.eye(N_MAKERS, dtype=np.float32)[maker]
    onehot_d = np.eye(N_DECADES, dtype=np.float32)[decade]
    raw = (meas * np.array([8, 12, 0.4, 0.3, 5, 5, 0.2, 3, 1, 1]) +
           np.array([70, 95, 2.5, 3.1, 40, 40, 1.1, 20, 0, 0])).astype(np.float32)
    return onehot_m, onehot_d, raw, Y


def setup():
    rng = np.random.default_rng(21)
    torch.manual_seed(21)
    om, od, raw, Y = intake(2600, rng)
    n_tr = 2000
    mu, sd = raw[:n_tr].mean(0), raw[:n_tr].std(0)
    X = np.concatenate([om, od, (raw - mu) / sd], 1).astype(np.float32)
    pos = Y[:n_tr].mean(0)
    pos_weight = torch.tensor(np.sqrt((1 - pos) / pos), dtype=torch.float32)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 128), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, len(PARTS)),
    )
    with torch.no_grad():
        model[-1].bias.copy_(torch.from_numpy(np.log(pos / (1 - pos))))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(Y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(Y[n_tr:])),
        loss=nn.BCEWithLogitsLoss(pos_weight=pos_weight),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=64,
    )
