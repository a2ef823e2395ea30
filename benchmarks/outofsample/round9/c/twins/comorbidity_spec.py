"""Checkup spec: multi-label comorbidity flags from 30 standardised lab values.

Fourteen diagnosis flags, each present in 1-8% of admissions. Output biases are initialised
from the training-set prevalence of each flag.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_FLAGS = 14


def make_admissions(n=6000, d=30, seed=21):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    X[:, :6] = np.abs(X[:, :6]) ** 1.3
    W = rng.normal(0, 1.0, size=(d, N_FLAGS)) * (rng.random((d, N_FLAGS)) < 0.25)
    inter = np.tanh(X[:, 6:7] * X[:, 7:8]) * rng.normal(0, 1.5, N_FLAGS)
    prevalence = np.linspace(0.01, 0.08, N_FLAGS)
    z = X @ W + inter
    z = (z - z.mean(0)) / z.std(0) * 1.8
    bias = -np.array([np.quantile(z[:, k], 1 - prevalence[k]) for k in range(N_FLAGS)])
    p = 1 / (1 + np.exp(-3.0 * (z + bias)))
    Y = (rng.random(p.shape) < p).astype(np.float32)
    X = (X - X.mean(0)) / X.std(0)
    return X.astype(np.float32), Y


class FlagNet(nn.Module):
    def __init__(self, d_in, n_out, prior):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, 128), nn.ReLU(), nn.Dropout(0.1),
                                  nn.Linear(128, 64), nn.ReLU())
        self.head = nn.Linear(64, n_out)
        with torch.no_grad():
            self.head.bias.copy_(torch.log(prior / (1 - prior)))

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    torch.manual_seed(0)
    X, Y = make_admissions()
    X, Y = torch.from_numpy(X), torch.from_numpy(Y)
    Xtr, Ytr, Xva, Yva = X[:4800], Y[:4800], X[4800:], Y[4800:]
    prior = Ytr.mean(0).clamp(1e-3, 1 - 1e-3)
    return nndoctor.Setup(
        model=FlagNet(X.shape[1], N_FLAGS, prior),
        train=(Xtr, Ytr),
        val=(Xva, Yva),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
