"""Sewer CCTV survey: which defects will the crawler camera find in a pipe segment?

Tabular record per segment from the asset register and the surveyor's pre-check
(material one-hot, diameter, age, depth, gradient, street-tree canopy within 5 m,
soil clay share, groundwater above invert, traffic load, days since last jetting,
prior repairs).  Targets are the defect codes found on the survey, several per
segment possible: root intrusion, longitudinal crack, grease/sediment deposit,
displaced joint, infiltration.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

DEFECTS = ["roots", "crack", "deposit", "joint_offset", "infiltration"]


def segments(n, seed=0):
    rng = np.random.default_rng(seed)
    material = rng.choice(3, n, p=[0.45, 0.35, 0.20])          # clay, concrete, PVC
    diameter = rng.choice([150, 225, 300, 450, 600], n, p=[0.3, 0.3, 0.2, 0.12, 0.08])
    age = np.where(material == 2, rng.uniform(0, 35, n), rng.uniform(10, 110, n))
    depth = rng.gamma(4, 0.6, n)
    gradient = rng.lognormal(-4.5, 0.6, n)
    canopy = rng.beta(1.2, 3, n)
    clay = rng.beta(2, 3, n)
    gw = rng.normal(0, 0.8, n)
    traffic = rng.gamma(2, 1.0, n)
    jetting = rng.exponential(700, n)
    repairs = rng.poisson(0.3 + age / 100)
    a = age / 50
    logit = np.stack([
        -2.2 + 3.5 * canopy + 0.8 * a + 1.0 * (material == 0) - 2.0 * (material == 2),
        -2.5 + 0.9 * a + 0.6 * traffic - 0.4 * depth + 0.9 * (material == 1) + 0.8 * clay,
        -1.8 - 180 * (gradient - 0.012) + 0.0012 * jetting - 0.003 * (diameter - 150),
        -2.4 + 0.7 * a + 1.2 * clay + 0.3 * repairs + 0.6 * (material == 0),
        -2.6 + 1.6 * gw + 0.8 * a + 0.8 * (material != 2) * (gw > 0),
    ], 1)
    Y = (rng.random(logit.shape) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    X = np.column_stack([np.eye(3)[material], np.log(diameter), age, depth, np.log(gradient), canopy, clay,
                         gw, traffic, np.log1p(jetting), repairs]).astype(np.float32)
    return X, Y


def setup():
    torch.manual_seed(0)
    X, Y = segments(3000, seed=21)
    Xtr, Ytr, Xva, Yva = X[:2400], Y[:2400], X[2400:], Y[2400:]
    cont = slice(3, None)
    mu, sd = Xtr[:, cont].mean(0), Xtr[:, cont].std(0)
    Xtr[:, cont] = (Xtr[:, cont] - mu) / sd
    Xva[:, cont] = (Xva[:, cont] - mu) / sd
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Dropout(0.1),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, len(DEFECTS)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(Ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(Yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
