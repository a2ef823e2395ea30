"""Checkup spec: multi-label attribute prediction (14 attributes, 0-14 per sample)
with a residual MLP (pre-norm blocks)."""
import numpy as np
import torch
from torch import nn
from sklearn.model_selection import train_test_split

import nndoctor


class ResBlock(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, hidden), nn.SiLU(), nn.Dropout(0.2), nn.Linear(hidden, d))

    def forward(self, x):
        return x + self.ff(self.norm(x))


class ResMLP(nn.Module):
    def __init__(self, d_in, n_out, d=64, n_blocks=2):
        super().__init__()
        self.stem = nn.Linear(d_in, d)
        self.blocks = nn.Sequential(*[ResBlock(d, 2 * d) for _ in range(n_blocks)])
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, n_out)

    def forward(self, x):
        return self.head(self.norm(self.blocks(self.stem(x))))


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(3)
    # 30 sensor-style features; each attribute is a thresholded nonlinear score of them
    X = rng.normal(size=(12000, 30))
    W1 = rng.normal(size=(30, 24)) / np.sqrt(30)
    W2 = rng.normal(size=(24, 14)) / np.sqrt(24) * 2.0
    score = np.tanh(2.0 * X @ W1) @ W2 + 0.3 * rng.normal(size=(12000, 14))
    Y = (score > np.quantile(score, 0.8, axis=0)).astype(np.float64)      # ~20% prevalence each
    Xtr, Xva, Ytr, Yva = train_test_split(X, Y, test_size=0.25, random_state=0)
    mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-6
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    return nndoctor.Setup(
        model=ResMLP(X.shape[1], Y.shape[1]),
        train=(f((Xtr - mu) / sd), f(Ytr)),
        val=(f((Xva - mu) / sd), f(Yva)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05),
        batch_size=128,
    )
