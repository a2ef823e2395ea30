import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor
from benchmarks.faults.casedata import sensor_sequences


class Forecaster(nn.Module):
    def __init__(self, features=5, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1]).squeeze(-1)


def setup():
    X, y = sensor_sequences(n=900, length=30, features=4, seed=4)
    status = np.ones(X.shape[:2] + (1,), dtype=X.dtype)
    X = np.concatenate([X, status], axis=2)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=4)
    mean, std = X_train.mean(axis=(0, 1)), X_train.std(axis=(0, 1))
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=Forecaster(),
        train=(X_train.astype(np.float32), y_train),
        val=(X_val.astype(np.float32), y_val),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=5e-3),
        batch_size=32,
    )
