import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
import torch
from torch import nn

import nndoctor


class Block(nn.Module):
    def __init__(self, dim, dropout=0.0):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(2 * dim, dim))

    def forward(self, x):
        return x + self.ff(self.norm(x))


class Net(nn.Module):
    def __init__(self, n_in=10, dim=64, n_out=1, depth=3):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, dim), *[Block(dim) for _ in range(depth)], nn.LayerNorm(dim))
        self.head = nn.Linear(dim, n_out)

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    X, y = make_friedman1(n_samples=1500, n_features=10, noise=0.5, random_state=124)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=124)
    X_train, X_val = ((X_train - 0.5) / 0.29).astype(np.float32), ((X_val - 0.5) / 0.29).astype(np.float32)
    y_mean, y_std = y_train.mean(), y_train.std()
    y_train = ((y_train - y_mean) / y_std).astype(np.float32)[:, None]
    y_val = ((y_val - y_mean) / y_std).astype(np.float32)[:, None]

    torch.manual_seed(0)
    model = Net()
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.02, momentum=0.9),
        batch_size=32,
    )
