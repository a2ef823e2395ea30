import numpy as np
from sklearn.model_selection import train_test_split
import torch
from torch import nn

import nndoctor
from benchmarks.faults.casedata import sensor_sequences


class Net(nn.Module):
    def __init__(self, n_in=3, hidden=64, n_out=1):
        super().__init__()
        self.body = nn.LSTM(n_in, hidden, num_layers=1, batch_first=True)
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        _, (h, _) = self.body(x)
        return self.head(h[-1])


def setup():
    X, y = sensor_sequences(n=1000, length=20, features=3, seed=122)
    X_train, X_val, y_train, y_val = train_test_split(X, y[:, None], test_size=0.2, random_state=122)

    torch.manual_seed(0)
    model = Net()
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=0.003),
        batch_size=32,
    )
