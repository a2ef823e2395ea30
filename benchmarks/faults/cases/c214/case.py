import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
import torch
from torch import nn

import nndoctor


class Net(nn.Module):
    def __init__(self, n_in=2, hidden=64, n_out=1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
        )
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        return self.head(self.body(x)).squeeze(-1)


def setup():
    X, y = make_moons(n_samples=1500, noise=0.2, random_state=115)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=115)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_val = ((X_train - mean) / std).astype(np.float32), ((X_val - mean) / std).astype(np.float32)
    y_train, y_val = y_train.astype(np.float32), y_val.astype(np.float32)

    torch.manual_seed(0)
    model = Net()
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        optimizer=lambda params: torch.optim.Adam(params, lr=0.003),
        batch_size=32,
    )
