"""Sail loft: predict seam creep of a laminated sail panel after a 24 h load test.

Inputs per panel: cloth weight, film thickness, fibre angle offset, seam overlap, adhesive cure
time, cure temperature, load (as a share of rated load) and loft humidity. Target: seam creep in
mm, standardised. A few panels have bonding flaws and creep far more, so the targets are
heavy-tailed; Huber loss keeps those panels from dominating the fit. The model is kept small on
purpose (2 000 panels).
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def load_panels(n=2000, seed=8):
    rng = np.random.default_rng(seed)
    cloth = rng.uniform(150, 420, n)             # g/m2
    film = rng.uniform(12, 50, n)                 # micron
    angle = rng.normal(0, 6, n)                   # deg off load path
    overlap = rng.uniform(8, 30, n)               # mm
    cure_h = rng.uniform(4, 48, n)
    cure_t = rng.uniform(15, 35, n)
    load = rng.uniform(0.2, 0.9, n)
    humidity = rng.uniform(30, 85, n)
    cure = 1 - np.exp(-cure_h * 2 ** ((cure_t - 20) / 10) / 12)
    creep = (0.8 * load ** 2 * (300 / cloth) * (20 / overlap) / (0.3 + cure)
             + 0.01 * np.abs(angle) * load + 0.004 * (humidity - 50) * load)
    noise = 0.05 * rng.standard_t(2.5, n)         # bonding flaws: heavy tail
    creep = creep + noise
    X = np.stack([cloth, film, angle, overlap, cure_h, cure_t, load, humidity], 1)
    return X.astype(np.float32), creep.astype(np.float32)


def setup():
    torch.manual_seed(3)
    X, y = load_panels()
    Xtr, ytr, Xva, yva = X[:1600], y[:1600], X[1600:], y[1600:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    med, iqr = np.median(ytr), np.subtract(*np.percentile(ytr, [75, 25]))
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    ytr, yva = ((ytr - med) / iqr).astype(np.float32), ((yva - med) / iqr).astype(np.float32)
    model = nn.Sequential(nn.Linear(8, 24), nn.SiLU(), nn.Linear(24, 24), nn.SiLU(), nn.Linear(24, 1))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr).unsqueeze(1)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva).unsqueeze(1)),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=32,
        task="regression",
    )
