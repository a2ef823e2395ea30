import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor
from benchmarks.faults.casedata import sensor_sequences


class AttentionForecaster(nn.Module):
    def __init__(self, features=3, hidden=32):
        super().__init__()
        self.rnn = nn.GRU(features, hidden, batch_first=True)
        self.score = nn.Linear(hidden, 1)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        weights = torch.softmax(self.score(out).squeeze(-1), dim=1)
        pooled = (weights.unsqueeze(-1) * out).sum(dim=1)
        return self.head(pooled).squeeze(-1)


def setup():
    X, y = sensor_sequences(n=800, length=20, features=3, seed=2)
    X = X * np.array([1.5, 40.0, 0.02], dtype=np.float32) + np.array([20.0, 1013.0, 0.5], dtype=np.float32)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0)
    mean, std = X_train.mean(axis=(0, 1)), X_train.std(axis=(0, 1))
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=AttentionForecaster(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.Adam(params, lr=5e-3),
        batch_size=32,
    )
