import numpy as np
from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import train_test_split
import torch
from torch import nn

import nndoctor


class Net(nn.Module):
    def __init__(self, n_in=30, hidden=64, n_out=5):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Dropout(0.1),
            nn.Linear(hidden, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Dropout(0.1),
        )
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    X, Y = make_multilabel_classification(n_samples=2000, n_features=30, n_classes=5, n_labels=2, random_state=118)
    X = np.log1p(X)
    X_train, X_val, y_train, y_val = train_test_split(X, Y.astype(np.float32), test_size=0.2, random_state=118)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-6
    X_train, X_val = ((X_train - mean) / std).astype(np.float32), ((X_val - mean) / std).astype(np.float32)

    torch.manual_seed(0)
    model = Net()
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=0.002),
        batch_size=32,
    )
