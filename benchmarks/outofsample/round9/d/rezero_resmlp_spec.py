"""Checkup spec: pre-norm residual MLP whose residual branches start at zero (their last
Linear is zero-initialised, as in Fixup / "zero-init residual"), fitting a standardised
impedance response (Friedman #2)."""
import numpy as np
import torch
from sklearn.datasets import make_friedman2
from torch import nn

import nndoctor


class ResBlock(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)
        nn.init.zeros_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)

    def forward(self, x):
        return x + self.fc2(self.act(self.fc1(self.norm(x))))


class ResMLP(nn.Module):
    def __init__(self, n_in, dim=64, hidden=128, n_blocks=4):
        super().__init__()
        self.embed = nn.Linear(n_in, dim)
        self.blocks = nn.Sequential(*[ResBlock(dim, hidden) for _ in range(n_blocks)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 1)

    def forward(self, x):
        return self.head(self.norm(self.blocks(self.embed(x))))


def setup():
    torch.manual_seed(30)
    X, y = make_friedman2(n_samples=4000, noise=120.0, random_state=30)
    mu, sd = X[:3200].mean(0), X[:3200].std(0)
    X = ((X - mu) / sd).astype(np.float32)
    t = ((y - y[:3200].mean()) / y[:3200].std()).astype(np.float32).reshape(-1, 1)
    return nndoctor.Setup(
        model=ResMLP(4),
        train=(torch.from_numpy(X[:3200]), torch.from_numpy(t[:3200])),
        val=(torch.from_numpy(X[3200:]), torch.from_numpy(t[3200:])),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
