import torch
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


class RiskModel(nn.Module):
    def __init__(self, n_features=10, levels=4):
        super().__init__()
        self.encode = nn.Sequential(nn.Linear(n_features, 64), nn.Sigmoid())
        self.decode = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
        self.levels = levels

    def forward(self, x):
        code = torch.round(self.encode(x) * self.levels) / self.levels
        return self.decode(code).squeeze(-1)


def setup():
    X, y = load_diabetes(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=0)
    x_mean, x_std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_val = (X_train - x_mean) / x_std, (X_val - x_mean) / x_std
    y_mean, y_std = y_train.mean(), y_train.std()
    y_train, y_val = (y_train - y_mean) / y_std, (y_val - y_mean) / y_std

    torch.manual_seed(0)
    model = RiskModel()
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.02, momentum=0.9),
        batch_size=32,
    )
