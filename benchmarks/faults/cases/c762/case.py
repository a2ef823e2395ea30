import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor
from benchmarks.faults.casedata_dml import houses


class ResidualRegressor(nn.Module):
    def __init__(self, inputs, width=64, blocks=2):
        super().__init__()
        self.inp = nn.Linear(inputs, width)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.LayerNorm(width), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width)) for _ in range(blocks)
        )
        self.out = nn.Linear(width, 1)

    def forward(self, x):
        h = self.inp(x)
        for block in self.blocks:
            h = h + block(h)
        return self.out(h).squeeze(-1)


def encode(X, mean, std):
    continuous = (X[:, :4] - mean) / std
    return np.hstack([continuous, np.eye(6)[X[:, 4].astype(int)]]).astype(np.float32)


def setup():
    X, price = houses(n=1500, seed=1)
    X_train, X_val, p_train, p_val = train_test_split(X, price, test_size=0.25, random_state=0)
    mean, std = X_train[:, :4].mean(axis=0), X_train[:, :4].std(axis=0)
    X_train, X_val = encode(X_train, mean, std), encode(X_val, mean, std)
    p_mean, p_std = p_train.mean(), p_train.std()
    y_train, y_val = (p_train - p_mean) / p_std, (p_val - p_mean) / p_std

    torch.manual_seed(0)
    model = ResidualRegressor(10)
    nn.init.constant_(model.out.bias, -25.0)
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train.astype(np.float32)),
        val=(X_val, y_val.astype(np.float32)),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
