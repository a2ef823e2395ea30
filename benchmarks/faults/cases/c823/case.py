import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def readings(n=1500, length=36, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 0.5, size=(n, length))
    y = rng.integers(0, 3, size=n)
    third = length // 3
    for i in range(n):
        start = y[i] * third + rng.integers(0, third - 4)
        x[i, start:start + 4] += 2.0
    return x.astype(np.float32), y


class SequenceClassifier(nn.Module):
    def __init__(self, hidden=32, classes=3):
        super().__init__()
        self.rnn = nn.GRU(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        _, h = self.rnn(x.unsqueeze(-1))
        return self.head(h[-1])


def setup():
    X, y = readings()
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=SequenceClassifier(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )
