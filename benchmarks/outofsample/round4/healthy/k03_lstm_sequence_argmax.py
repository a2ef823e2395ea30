"""Checkup spec: generated sequences of length 20 with 4 channels; the class (3 classes) is
which channel has the largest cumulative sum in the second half of the sequence.
Single-layer LSTM reading the sequence, classifier on the last hidden state, Adam."""
import numpy as np
import torch
from torch import nn

import nndoctor


class LSTMClassifier(nn.Module):
    def __init__(self, d_in=4, hidden=32, n_classes=3):
        super().__init__()
        self.lstm = nn.LSTM(d_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def make(n, rng):
    X = rng.normal(0, 1, size=(n, 20, 4)).astype(np.float32)
    y = X[:, 10:, :3].sum(1).argmax(1)
    return torch.tensor(X), torch.tensor(y)


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    Xtr, ytr = make(8000, rng)
    Xva, yva = make(600, rng)
    return nndoctor.Setup(
        model=LSTMClassifier(),
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
