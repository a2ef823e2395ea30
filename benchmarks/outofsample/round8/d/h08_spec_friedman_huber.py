"""Checkup spec: robust regression of a sensor response (Friedman #1) with heavy-tailed noise.

About 5% of the readings are corrupted by Student-t (df=1.5) glitches, so the loss is Huber
(delta = 1 on robustly scaled targets: median / IQR) rather than MSE.  Inputs are standardised
with training statistics; MLP with SiLU; AdamW with weight decay.
"""
import numpy as np
import torch
from sklearn.datasets import make_friedman1
from torch import nn

import nndoctor


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    X, y = make_friedman1(n_samples=3000, n_features=10, noise=0.5, random_state=seed)
    glitch = rng.random(len(y)) < 0.05
    y = y + glitch * 4.0 * rng.standard_t(1.5, size=len(y))
    return X.astype(np.float32), y.astype(np.float32)


def setup():
    torch.manual_seed(0)
    X, y = make_data()
    Xtr, Xva, ytr, yva = X[:2400], X[2400:], y[:2400], y[2400:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    med = np.median(ytr)
    iqr = np.subtract(*np.percentile(ytr, [75, 25])) / 1.349  # robust std estimate
    ytr, yva = ((ytr - med) / iqr).astype(np.float32), ((yva - med) / iqr).astype(np.float32)

    model = nn.Sequential(
        nn.Linear(10, 128), nn.SiLU(),
        nn.Linear(128, 128), nn.SiLU(),
        nn.Linear(128, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr).unsqueeze(1)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva).unsqueeze(1)),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=64,
    )
