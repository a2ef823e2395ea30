import numpy as np
import torch
from torch import nn

import nndoctor
from benchmarks.faults.casedata import sensor_sequences


class Forecaster(nn.Module):
    def __init__(self, features=3, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1]).squeeze(-1)


def setup():
    X, y = sensor_sequences(n=800, length=20, features=3, seed=0)
    order = np.argsort(y)
    X, y = X[order], y[order]
    cut = int(0.75 * len(X))
    X_train, X_val, y_train, y_val = X[:cut], X[cut:], y[:cut], y[cut:]

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=Forecaster(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=5e-3),
        batch_size=32,
    )
