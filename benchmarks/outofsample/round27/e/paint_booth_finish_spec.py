"""Automotive paint shop: predict the finish inspection result of a clear-coated panel
(good, orange peel, sag/run, solvent pop, dust nib) from the booth and gun log at the
time it was sprayed.  Defects are a minority, so cross-entropy is class-weighted ('balanced'); a
deliberately small MLP with dropout and AdamW weight decay, since the shop only has a
few thousand inspected panels.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

RESULTS = ["good", "orange_peel", "sag", "solvent_pop", "dust_nib"]


def booth_log(n, rng):
    rh = rng.normal(62, 8, n)                   # booth relative humidity %
    temp = rng.normal(23, 2.5, n)               # booth air C
    downdraft = rng.normal(0.4, 0.06, n)        # m/s
    film = rng.normal(48, 7, n)                 # clear-coat build, microns
    flash = rng.normal(6, 1.5, n)               # flash-off minutes
    visc = rng.normal(22, 2.5, n)               # DIN4 cup seconds
    dist = rng.normal(22, 3, n)                 # gun distance cm
    pressure = rng.normal(2.0, 0.25, n)         # atomising air bar
    panel_t = temp + rng.normal(0, 1.5, n)
    speed = rng.normal(4.5, 0.4, n)             # conveyor m/min
    z = lambda v: (v - v.mean()) / v.std()
    relu = lambda v: np.clip(v, 0, None)
    scores = np.column_stack([
        np.zeros(n) + 2.0,
        2.0 * relu(z(visc) - 0.3) + 1.5 * relu(-z(pressure) - 0.3) + 0.5 * np.abs(z(dist)) - 0.8,   # orange peel
        2.2 * relu(z(film) - 0.4) * (1 + relu(z(rh))) - 0.8 * z(temp) - 0.6,                          # sag
        2.0 * relu(z(film)) * relu(-z(flash) + 0.5) + 0.8 * relu(z(panel_t)) - 0.6,                   # solvent pop
        3.0 * (downdraft < 0.34) + 0.5 * z(speed) - 0.8,                                              # dust nib
    ])
    scores = 2.0 * scores                        # defect odds climb steeply outside the process window
    p = np.exp(scores - scores.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    y = np.array([rng.choice(5, p=row) for row in p])
    X = np.column_stack([rh, temp, downdraft, film, flash, visc, dist, pressure, panel_t, speed])
    return X.astype(np.float32), y.astype(np.int64)


def setup():
    rng = np.random.default_rng(47)
    torch.manual_seed(47)
    X, y = booth_log(3500, rng)
    Xtr, ytr, Xva, yva = X[:2800], y[:2800], X[2800:], y[2800:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    counts = np.bincount(ytr, minlength=len(RESULTS))
    w = counts.sum() / (len(RESULTS) * counts)      # scikit-learn's 'balanced' weights
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, len(RESULTS)))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(weight=torch.tensor(w, dtype=torch.float32)),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=1e-2),
        batch_size=32,
    )
