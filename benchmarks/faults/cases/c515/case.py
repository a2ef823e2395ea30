import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor
from benchmarks.faults.casedata import wave_sequences


class WaveClassifier(nn.Module):
    def __init__(self, hidden=32, classes=4):
        super().__init__()
        self.rnn = nn.GRU(1, hidden, batch_first=True)
        self.out = nn.Linear(hidden, classes)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.out(h[-1])


def setup():
    X, y = wave_sequences(n=3000, length=24, classes=4, seed=0)
    rng = np.random.default_rng(0)
    keep = (y == 0) | (rng.random(len(y)) < 0.04)
    X, y = X[keep], y[keep]
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0)

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=WaveClassifier(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=5e-3),
        batch_size=32,
    )
