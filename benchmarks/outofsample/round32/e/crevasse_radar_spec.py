"""Glacier crevasse surveys: flag hidden crevasses along a route from ground-penetrating
radar (GPR) traces summarised into 22 features, plus the ice-flow strain rate.

Hidden crevasses are rare along a surveyed route (about 1 trace window in 12), so the
BCE loss weights positives by sqrt(neg/pos) and the output bias starts at the best
constant logit under that weighting. Dropout and decoupled weight decay.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def gpr_windows(n, rng):
    depth_amp = rng.normal(0, 1, (n, 12))                      # log reflection amplitude, 12 depth bins
    depth_amp = np.cumsum(depth_amp * 0.3, axis=1) - 0.1 * np.arange(12)
    diffraction = rng.gamma(2.0, 0.5, n)                       # hyperbola fit score
    strain = rng.lognormal(-6.5, 0.6, n)                       # 1/yr, effective strain rate
    slope = rng.normal(6, 3, n)                                # deg
    snow_depth = rng.uniform(0.5, 4.0, n)                      # m
    firn_density = rng.normal(0.55, 0.05, n)                   # g/cm3
    void_index = rng.normal(0, 1, n)
    curvature = rng.normal(0, 1, n)
    air_temp = rng.normal(-8, 4, n)
    speed = rng.uniform(3, 12, n)                              # km/h, sled speed
    dropout_amp = depth_amp[:, 4:9].min(1) - depth_amp[:, 4:9].mean(1)
    z = (3.0 * np.tanh(1.5 * np.log(strain / 0.0015)) + 2.0 * diffraction * (void_index > 0)
         - 1.5 * dropout_amp + 1.2 * np.maximum(curvature, 0) ** 2 - 0.6 * (snow_depth - 2) - 6.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float32)
    X = np.column_stack([depth_amp, diffraction, np.log10(strain), slope, snow_depth, firn_density,
                         void_index, curvature, air_temp, speed, dropout_amp])
    return X.astype(np.float32), y


def setup():
    rng = np.random.default_rng(41)
    torch.manual_seed(41)
    X, y = gpr_windows(6000, rng)
    Xtr, ytr, Xva, yva = X[:4800], y[:4800], X[4800:], y[4800:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    p = float(ytr.mean())
    pos_weight = float(np.sqrt((1 - p) / p))
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(32, 1),
    )
    with torch.no_grad():
        model[-1].bias.fill_(float(np.log(pos_weight * p / (1 - p))))

    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(Xtr), torch.tensor(ytr).unsqueeze(1)),
        val=(torch.tensor(Xva), torch.tensor(yva).unsqueeze(1)),
        loss=nn.BCEWithLogitsLoss(pos_weight=torch.tensor([pos_weight])),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=64,
    )
