"""Checkup spec: hourly cooling-load regression for a building's chiller plant.
Ten sensor/weather channels (5 of them drive the load non-linearly, the rest are nuisance
readings); model ported from an older TF1 notebook config."""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_friedman1

import nndoctor

CFG = {"hidden": 128, "keep_prob": 0.9, "lr": 1e-3, "batch_size": 64}


def load_plant_data(seed=21):
    X, y = make_friedman1(n_samples=3000, n_features=10, noise=0.5, random_state=seed)
    X = (X - 0.5) / 0.2887                      # channels are already in [0, 1]: centre and scale
    y = (y - 14.4) / 4.9                         # load in standard units (plant-wide mean / std)
    return X.astype(np.float32), y.astype(np.float32)[:, None]


def setup():
    torch.manual_seed(21)
    X, y = load_plant_data()
    X_tr, y_tr, X_va, y_va = X[:2400], y[:2400], X[2400:], y[2400:]
    h, p = CFG["hidden"], 1 - CFG["keep_prob"]
    model = nn.Sequential(
        nn.Linear(X.shape[1], h), nn.ReLU(), nn.Dropout(p),
        nn.Linear(h, h), nn.ReLU(), nn.Dropout(p),
        nn.Linear(h, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=CFG["lr"]),
        batch_size=CFG["batch_size"],
    )
