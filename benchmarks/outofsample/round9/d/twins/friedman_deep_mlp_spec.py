"""Checkup spec: deep MLP surrogate for a simulator response (Friedman #1 with distractors)."""
import numpy as np
import torch
from sklearn.datasets import make_friedman1
from torch import nn

import nndoctor


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.fc(x))


class DeepMLP(nn.Module):
    def __init__(self, n_in, dim=64, n_blocks=24):
        super().__init__()
        self.stem = nn.Linear(n_in, dim)
        self.blocks = nn.ModuleList(Block(dim) for _ in range(n_blocks))
        self.out = nn.Linear(dim, 1)

    def forward(self, x):
        h = self.stem(x)
        for blk in self.blocks:
            h = h + blk(h)
        return self.out(h)


def setup():
    torch.manual_seed(8)
    X, y = make_friedman1(n_samples=3000, n_features=12, noise=0.5, random_state=8)
    X = ((X - 0.5) / 0.2887).astype(np.float32)
    y = y.astype(np.float32)
    mu, sd = y[:2400].mean(), y[:2400].std()
    y = ((y - mu) / sd).reshape(-1, 1)
    return nndoctor.Setup(
        model=DeepMLP(12),
        train=(torch.from_numpy(X[:2400]), torch.from_numpy(y[:2400])),
        val=(torch.from_numpy(X[2400:]), torch.from_numpy(y[2400:])),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
