"""Checkup spec: residual MLP on a nonlinear 4-class problem (nested Gaussian shells, 10-D).

Pre-norm residual blocks (LayerNorm -> Linear -> GELU -> Dropout -> Linear), AdamW.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_gaussian_quantiles
import nndoctor

DROPOUT = 0.1


class Block(nn.Module):
    def __init__(self, d, p):
        super().__init__()
        self.f = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 2 * d), nn.GELU(), nn.Dropout(p), nn.Linear(2 * d, d))

    def forward(self, x):
        return x + self.f(x)


class ResMLP(nn.Module):
    def __init__(self, d_in, n_out, d=96, blocks=3, p=DROPOUT):
        super().__init__()
        self.inp = nn.Linear(d_in, d)
        self.blocks = nn.Sequential(*[Block(d, p) for _ in range(blocks)])
        self.drop = nn.Dropout(p)
        self.out = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, n_out))

    def forward(self, x):
        return self.out(self.drop(self.blocks(self.inp(x))))


def setup():
    torch.manual_seed(5)
    X, y = make_gaussian_quantiles(n_samples=4000, n_features=10, n_classes=4, random_state=5)
    X = X.astype(np.float32)
    return nndoctor.Setup(
        model=ResMLP(10, 4),
        train=(torch.from_numpy(X[:3200]), torch.from_numpy(y[:3200])),
        val=(torch.from_numpy(X[3200:]), torch.from_numpy(y[3200:])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=1e-2),
        batch_size=64,
    )
