import numpy as np
import torch
from torch import nn

import nndoctor


def waveforms(n, length, seed):
    """Noisy sine / square / sawtooth signals with random frequency and phase; label = shape."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, length)
    labels = rng.integers(0, 3, n)
    freq = rng.uniform(2, 5, (n, 1))
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    arg = 2 * np.pi * freq * t + phase
    sine = np.sin(arg)
    square = np.sign(sine)
    saw = 2 * ((arg / (2 * np.pi)) % 1.0) - 1
    x = np.choose(labels[:, None], [sine, square, saw]) + rng.normal(0, 0.3, (n, length))
    return x[..., None].astype(np.float32), labels


class LSTMClassifier(nn.Module):
    def __init__(self, hidden=48, n_out=3):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, num_layers=2, batch_first=True, dropout=0.1)
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.head(h[-1])


def setup():
    X_train, y_train = waveforms(2400, 40, seed=31)
    X_val, y_val = waveforms(600, 40, seed=32)
    torch.manual_seed(5)
    return nndoctor.Setup(
        model=LSTMClassifier(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=64,
    )
