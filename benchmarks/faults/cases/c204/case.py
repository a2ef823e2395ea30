import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
import torch
from torch import nn

import nndoctor


class Net(nn.Module):
    def __init__(self, n_in=10, hidden=32, n_out=1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
        )
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    X, y = load_diabetes(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=105)
    scaler = StandardScaler().fit(X_train)
    X_train, X_val = scaler.transform(X_train).astype(np.float32), scaler.transform(X_val).astype(np.float32)
    y_mean, y_std = y_train.mean(), y_train.std()
    y_train = ((y_train - y_mean) / y_std).astype(np.float32)[:, None]
    y_val = ((y_val - y_mean) / y_std).astype(np.float32)[:, None]

    torch.manual_seed(0)
    model = Net()
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.Adam(params, lr=0.001),
        batch_size=32,
    )
