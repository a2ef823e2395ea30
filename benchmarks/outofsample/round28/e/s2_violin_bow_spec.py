"""Violin-bow workshop: attribute a pernambuco bow to one of five makers from its tap-tone
spectrum (96 log-magnitude bins, 0-4 kHz). 1-D CNN with BatchNorm and dropout, label
smoothing, AdamW. The spectra are standardised per bin with training statistics.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


class TapToneCNN(nn.Module):
    def __init__(self, n_cls=5):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(1, 16, 5, padding=2), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 3, padding=1), nn.BatchNorm1d(32), nn.ReLU(), nn.AdaptiveAvgPool1d(4),
            nn.Flatten(), nn.Dropout(0.2), nn.Linear(128, n_cls))

    def forward(self, x):
        return self.net(x.unsqueeze(1))


def setup():
    torch.manual_seed(8)
    rng = np.random.default_rng(8)
    B, n = 96, 2000
    f = np.linspace(0, 1, B)
    maker_modes = rng.uniform(0.1, 0.9, (5, 3))       # each workshop's typical mode frequencies
    y = rng.integers(0, 5, n)
    X = np.empty((n, B))
    for i in range(n):
        modes = maker_modes[y[i]] * rng.normal(1, 0.09, 3)     # wood density shifts the modes
        spec = -2 * f + rng.normal(0, 0.3, B)
        for k, m in enumerate(modes):
            spec += (1.0 - 0.25 * k) * np.exp(-((f - m) ** 2) / (2 * 0.012 ** 2))
        X[i] = spec + rng.normal(0, 0.2)                         # microphone gain
    tr, va = slice(0, 1600), slice(1600, n)
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = ((X - mu) / sd).astype(np.float32)
    return nndoctor.Setup(
        model=TapToneCNN(),
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.CrossEntropyLoss(label_smoothing=0.05),
        optimizer=lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=1e-2),
        batch_size=32,
    )
