import numpy as np
import torch
from torch import nn

import nndoctor


def channel_sequences(n, length, seed):
    """4-channel noisy sequences; one channel carries a burst of activity somewhere in time; label = that channel."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1.0, (n, length, 4))
    labels = rng.integers(0, 4, n)
    start = rng.integers(0, length - 8, n)
    for i in range(n):
        x[i, start[i]:start[i] + 8, labels[i]] += 1.5
    return x.astype(np.float32), labels


class GRUClassifier(nn.Module):
    def __init__(self, n_in=4, hidden=40, n_out=4):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out.max(dim=1).values)


def setup():
    X_train, y_train = channel_sequences(2000, 30, seed=101)
    X_val, y_val = channel_sequences(500, 30, seed=102)
    torch.manual_seed(11)
    return nndoctor.Setup(
        model=GRUClassifier(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=50,
    )
