"""Multi-label prediction of 16 rare diagnosis codes from a routine lab panel.

Each admission has 28 standardised lab values (plus 4 vitals); each code is present in
1-6% of admissions. The output bias is initialised from the training prevalence.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_CODES = 16
N_TRAIN = 4000


def lab_panel(n, seed=31):
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, 6))
    mix = rng.normal(size=(6, 32)) / np.sqrt(6)
    X = latent @ mix + 0.5 * rng.normal(size=(n, 32))
    W = rng.normal(size=(6, N_CODES))
    prior = rng.uniform(0.01, 0.06, N_CODES)
    score = latent @ W + 0.8 * np.tanh(latent[:, :1] * latent[:, 1:2]) * rng.normal(size=(1, N_CODES))
    score = (score - score.mean(0)) / score.std(0) * 1.6
    Y = np.zeros((n, N_CODES), dtype=np.float32)
    for j in range(N_CODES):
        lo, hi = -20.0, 20.0
        for _ in range(60):
            b = (lo + hi) / 2
            if (1 / (1 + np.exp(-(score[:, j] + b)))).mean() > prior[j]:
                hi = b
            else:
                lo = b
        Y[:, j] = rng.random(n) < 1 / (1 + np.exp(-(score[:, j] + b)))
    return X.astype(np.float32), Y


def setup():
    torch.manual_seed(31)
    X, Y = lab_panel(5000)
    mu, sd = X[:N_TRAIN].mean(0), X[:N_TRAIN].std(0)
    X = (X - mu) / sd
    model = nn.Sequential(
        nn.Linear(32, 96), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(96, 96), nn.ReLU(),
        nn.Linear(96, N_CODES),
    )
    prior = torch.from_numpy(Y[:N_TRAIN].mean(0)).clamp(1e-3, 1 - 1e-3)
    with torch.no_grad():
        model[-1].bias.copy_(torch.log(prior / (1 - prior)))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:N_TRAIN]), torch.from_numpy(Y[:N_TRAIN])),
        val=(torch.from_numpy(X[N_TRAIN:]), torch.from_numpy(Y[N_TRAIN:])),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=128,
    )
