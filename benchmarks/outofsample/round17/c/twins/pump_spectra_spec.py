"""Pump condition monitoring: classify vibration log-power spectra into six machine states.

Each state (healthy, imbalance, misalignment, bearing outer race, bearing inner race,
cavitation) leaves resonance lines at its own characteristic frequencies on top of a
1/f-shaped noise floor with a random overall gain. 96 frequency bins per spectrum.
Model: a small 1-D CNN over the frequency axis.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_BINS = 96
STATES = ["healthy", "imbalance", "misalignment", "outer_race", "inner_race", "cavitation"]
# (bin, relative height) of the resonance lines of each state
LINES = {
    0: [(14, 1.0)],
    1: [(20, 1.0), (40, 0.4)],
    2: [(28, 1.0), (56, 0.5)],
    3: [(38, 1.0), (76, 0.3)],
    4: [(50, 1.0), (75, 0.6)],
    5: [(64, 1.0), (86, 0.5)],
}


def make_spectra(n, rng):
    f = np.arange(N_BINS, dtype=np.float64)
    y = rng.integers(0, len(STATES), n)
    X = np.empty((n, N_BINS))
    for i, s in enumerate(y):
        floor = -1.2 * np.log1p(f / 6.0) + rng.normal(0, 0.25)
        power = np.exp(floor)
        for centre, height in LINES[int(s)]:
            c = centre + rng.normal(0, 0.8)
            w = rng.uniform(1.2, 2.2)
            power += height * rng.uniform(0.15, 0.6) * np.exp(-0.5 * ((f - c) / w) ** 2)
        power *= rng.lognormal(0.0, 0.4)                       # sensor gain
        power *= rng.gamma(2.0, 1 / 2.0, N_BINS)               # Welch estimate noise
        X[i] = np.log10(power + 1e-6)
    return X.astype(np.float32), y.astype(np.int64)


class SpectrumCNN(nn.Module):
    def __init__(self, n_classes, channels=32, pool_out=12):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, channels, kernel_size=7, padding=3), nn.BatchNorm1d(channels), nn.ReLU(),
            nn.Conv1d(channels, channels, kernel_size=5, padding=2), nn.BatchNorm1d(channels), nn.ReLU(),
            nn.AdaptiveAvgPool1d(pool_out),
        )
        self.head = nn.Linear(channels * pool_out, n_classes)

    def forward(self, x):
        h = self.features(x.unsqueeze(1))
        return self.head(torch.flatten(h, 1))


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = make_spectra(2400, rng)
    X_tr, y_tr, X_va, y_va = X[:1900], y[:1900], X[1900:], y[1900:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    model = SpectrumCNN(len(STATES))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
