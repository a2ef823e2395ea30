import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor
from benchmarks.faults.casedata import sensor_sequences


class Forecaster(nn.Module):
    def __init__(self, features=3, hidden=32, scale=50.0):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)
        self.scale = scale

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.scale * self.head(out[:, -1]).squeeze(-1)


def setup():
    X, y = sensor_sequences(n=800, length=20, features=3, seed=0)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0)

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=Forecaster(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        batch_size=32,
    )
