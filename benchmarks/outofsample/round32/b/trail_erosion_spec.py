"""Upland footpath erosion: predict the depth of new gully (cm) on a path section after
a winter, from the ranger survey of that section.

Depths are heavy-tailed: most sections lose a centimetre or two, a few wash out. The
team fits in raw centimetres with a Huber loss, so the wash-outs inform the fit
without dominating it. Continuous survey columns are standardised with training
statistics; the soil type is one-hot and the drainage flag stays 0/1.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SOILS = ["peat", "clay", "loam", "sand"]


def survey(n=2600, seed=4):
    rng = np.random.default_rng(seed)
    slope = rng.gamma(3.0, 3.5, n)                    # degrees
    log_foot = rng.normal(6.0, 1.2, n)                # log walkers per month
    soil = rng.choice(4, n, p=[0.3, 0.2, 0.35, 0.15])
    rain = rng.normal(1800, 400, n)                   # mm per winter
    drained = (rng.random(n) < 0.4).astype(float)
    veg = rng.beta(3, 2, n)                           # cover fraction of the verges
    alt = rng.uniform(200, 900, n)                    # m
    soil_k = np.array([1.6, 0.9, 1.0, 1.3])[soil]
    log_depth = (-1.2 + 0.9 * np.tanh((slope - 8) / 6) + 0.45 * (log_foot - 6)
                 + 0.6 * (rain - 1800) / 400 * (1 - 0.7 * drained) + np.log(soil_k)
                 - 1.1 * veg * (slope < 15) + 0.0008 * (alt - 500)
                 + 0.35 * (log_foot - 6) * (slope > 12))
    depth = np.exp(log_depth + rng.normal(0, 0.45, n)) * 2.0
    cont = np.column_stack([slope, log_foot, rain, veg, alt])
    onehot = np.eye(4)[soil]
    return cont.astype(np.float32), onehot.astype(np.float32), drained.astype(np.float32)[:, None], depth.astype(np.float32)


def setup():
    torch.manual_seed(0)
    cont, onehot, drained, depth = survey()
    n_train = 2000
    mu, sd = cont[:n_train].mean(0), cont[:n_train].std(0)
    X = np.concatenate([(cont - mu) / sd, onehot, drained], axis=1)
    X = torch.from_numpy(X)
    y = torch.from_numpy(depth)[:, None]

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.SiLU(),
        nn.Linear(64, 64), nn.SiLU(),
        nn.Linear(64, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[:n_train], y[:n_train]),
        val=(X[n_train:], y[n_train:]),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
