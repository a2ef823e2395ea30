"""Checkup spec: compound identification from Raman-like spectra (1D CNN).

Each of 7 compounds has its own set of peaks; a measured spectrum adds peak
shifts, a sloping fluorescence baseline and shot noise, and is min-max scaled
per spectrum as the instrument software exports it. A test set is held out
first; from the development rows the last 20% are used to monitor training.
"""
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor

N_CHANNELS = 256
N_COMPOUNDS = 7


def measure_spectra(n, rng):
    axis = np.linspace(0, 1, N_CHANNELS)
    peak_rng = np.random.default_rng(1234)                 # compound library is fixed
    shared = peak_rng.uniform(0.1, 0.9, size=5)            # bands common to the family
    library = [(shared + peak_rng.normal(0, 0.02, size=5), peak_rng.uniform(0.5, 1.0, size=5))
               for _ in range(N_COMPOUNDS)]
    y = rng.integers(0, N_COMPOUNDS, size=n)
    X = np.empty((n, N_CHANNELS), dtype=np.float32)
    for i, c in enumerate(y):
        centres, heights = library[c]
        centres = centres + rng.normal(0, 0.015, size=5)
        width = rng.uniform(0.006, 0.012)
        s = (heights[:, None] * np.exp(-0.5 * ((axis - centres[:, None]) / width) ** 2)).sum(0)
        s = s + rng.uniform(0, 1.5) * axis + rng.uniform(0, 0.5)      # fluorescence baseline
        s = s + rng.normal(0, 0.5, size=N_CHANNELS)
        X[i] = (s - s.min()) / (s.max() - s.min())
    return X[:, None, :], y


class SpectraCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(1, 16, 9, padding=4), nn.ReLU(), nn.MaxPool1d(4),
            nn.Conv1d(16, 32, 7, padding=3), nn.ReLU(), nn.MaxPool1d(4),
        )
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(32 * 16, 256), nn.ReLU(),
                                nn.Linear(256, N_COMPOUNDS))

    def forward(self, x):
        return self.fc(self.conv(x))


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(8)
    X, y = measure_spectra(1600, rng)
    X_dev, X_test, y_dev, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)

    n_monitor = int(0.2 * len(X_dev))
    X_mon, y_mon = X_dev[-n_monitor:], y_dev[-n_monitor:]
    X_fit, y_fit = X_dev, y_dev

    t = lambda a: torch.from_numpy(a)
    return nndoctor.Setup(
        model=SpectraCNN(),
        train=(t(X_fit), t(y_fit)),
        val=(t(X_mon), t(y_mon)),
        test=(t(X_test), t(y_test)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )
