"""Ski-wax service: predict the glide time (s) over a 60 m test track for a ski/wax/snow
combination. Continuous snow readings are standardised; the wax family is one-hot and left as
0/1 columns. Targets are standardised. SiLU MLP, AdamW.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def setup():
    torch.manual_seed(2)
    rng = np.random.default_rng(2)
    n = 2400
    snow_t = rng.uniform(-20, 0, n)           # degC
    air_rh = rng.uniform(30, 100, n)          # %
    grain = rng.lognormal(-0.7, 0.4, n)       # mm
    base_struct = rng.uniform(0.1, 1.0, n)    # structure depth
    wax = rng.integers(0, 4, n)               # cold / mid / warm / universal
    best_t = np.array([-14.0, -7.0, -2.0, -8.0])[wax]
    width = np.array([5.0, 4.0, 3.0, 9.0])[wax]
    glide = 7.2 + 0.12 * ((snow_t - best_t) / width) ** 2 + 0.6 * (air_rh > 85) * (1 - base_struct) \
        + 0.5 * np.log(grain) * (snow_t > -4) + rng.normal(0, 0.3, n)
    cont = np.stack([snow_t, air_rh, np.log(grain), base_struct], 1)
    onehot = np.eye(4)[wax]
    tr, va = slice(0, 1900), slice(1900, n)
    cm, cs = cont[tr].mean(0), cont[tr].std(0)
    X = np.hstack([(cont - cm) / cs, onehot]).astype(np.float32)
    ym, ys = glide[tr].mean(), glide[tr].std()
    y = ((glide - ym) / ys).astype(np.float32)[:, None]
    model = nn.Sequential(nn.Linear(8, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.MSELoss(),
        optimizer=lambda p: torch.optim.AdamW(p, lr=2e-3, weight_decay=1e-4),
        batch_size=32,
    )
