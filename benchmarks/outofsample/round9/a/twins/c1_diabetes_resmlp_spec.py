"""Checkup spec: residual MLP regressor for scikit-learn's diabetes progression data.

Ten baseline variables (already centred and scaled by scikit-learn, rescaled here
to unit variance); the target (disease progression after one year) is
standardised with training statistics.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

import nndoctor


class ResidualRegressor(nn.Module):
    def __init__(self, d_in=10, width=64, depth=2):
        super().__init__()
        self.inp = nn.Linear(d_in, width)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.LayerNorm(width), nn.Linear(width, width), nn.GELU(), nn.Linear(width, width))
            for _ in range(depth))
        self.out = nn.Linear(width, 1)

    def forward(self, x):
        h = self.inp(x)
        for block in self.blocks:
            h = h + block(h)
        return self.out(h)


def setup():
    torch.manual_seed(0)
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=7)
    x_mu, x_sd = X_tr.mean(0), X_tr.std(0)
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    f = lambda a: torch.tensor((a - x_mu) / x_sd, dtype=torch.float32)
    g = lambda b: torch.tensor((b - y_mu) / y_sd, dtype=torch.float32).unsqueeze(1)
    return nndoctor.Setup(
        model=ResidualRegressor(),
        train=(f(X_tr), g(y_tr)),
        val=(f(X_va), g(y_va)),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=1e-3, momentum=0.9),
        batch_size=32,
    )
