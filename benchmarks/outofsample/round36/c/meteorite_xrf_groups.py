"""Chondrite group (H / L / LL / carbonaceous) from handheld-XRF element panels.

Dealers and museum intake desks screen unclassified stones with a handheld XRF gun
before sending a thin section off. The panel reads 16 elements; the ordinary-chondrite
groups differ mainly in total iron and in how much of it is metal, a small signal riding
on the large common variation from weathering and from where on the cut face the gun was
held. Readings are log-ratio transformed against Si and standardised on the training split.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

ELEMENTS = ["Fe", "Ni", "Mg", "Al", "Ca", "Cr", "Mn", "Ti", "K", "P", "S", "Co", "Cu", "Zn", "Na", "V"]
GROUPS = ["H", "L", "LL", "C"]


def xrf_panels(n, rng):
    g = rng.choice(4, n, p=[0.32, 0.34, 0.22, 0.12])
    iron = np.array([0.9, 0.0, -0.7, 0.3])[g] + rng.normal(0, 0.35, n)
    metal = np.array([0.8, 0.1, -0.6, -1.2])[g] + rng.normal(0, 0.35, n)
    volatile = np.array([0.0, 0.0, 0.1, 1.6])[g] + rng.normal(0, 0.3, n)
    weathering = rng.normal(0, 5.0, n)
    spot = rng.normal(0, 5.0, (n, 2))
    latent = np.column_stack([iron, metal, volatile, weathering, spot])
    load = rng.normal(0, 1, (6, len(ELEMENTS)))
    load[:3] *= 0.25
    X = latent @ load + rng.normal(0, 0.05, (n, len(ELEMENTS)))
    return X.astype(np.float32), g


def setup():
    rng = np.random.default_rng(2024)
    X, y = xrf_panels(3000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:2400], idx[2400:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = (X - mu) / sd
    torch.manual_seed(2024)
    model = nn.Sequential(
        nn.Linear(len(ELEMENTS), 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, len(GROUPS)),
    )
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y).long()
    return nndoctor.Setup(
        model=model,
        train=(Xt[tr], yt[tr]),
        val=(Xt[va], yt[va]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.3),
        batch_size=64,
        name="meteorite-xrf-groups",
    )
