import numpy as np
import torch
from sklearn.model_selection import train_test_split
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
    X, y = sensor_sequences(n=800, length=20, features=3, seed=6)
    X = X * np.array([250.0, 0.8, 0.01], dtype=np.float32) + np.array([1200.0, 15.0, 0.3], dtype=np.float32)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=6)
    center = X_train.mean(axis=(0, 1))
    scale = np.abs(X_train - center).max()
    X_train, X_val = (X_train - center) / scale, (X_val - center) / scale

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=Forecaster(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=5e-3),
        batch_size=32,
    )
