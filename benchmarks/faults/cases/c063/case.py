import torch
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


class Regressor(nn.Module):
    def __init__(self, n_features=8, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_features, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def forward(self, x):
        x = nn.functional.normalize(x, dim=0)
        return self.net(x).squeeze(-1)


def setup():
    X, y = make_friedman1(n_samples=1000, n_features=8, noise=0.5, random_state=0)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=0)
    X_train, X_val = (X_train - 0.5) / 0.29, (X_val - 0.5) / 0.29
    y_mean, y_std = y_train.mean(), y_train.std()
    y_train, y_val = (y_train - y_mean) / y_std, (y_val - y_mean) / y_std

    torch.manual_seed(0)
    model = Regressor()
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=32,
    )
