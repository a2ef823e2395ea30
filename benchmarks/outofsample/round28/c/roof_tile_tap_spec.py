"""Clay roof-tile line: flag cracked tiles from an automatic tap test.

A solenoid taps each tile; a microphone's log-magnitude spectrum (48 bands, 1-12
kHz) is standardised per band. Cracked tiles (about 9% of production) ring
shorter and lose their upper resonances. Class-weighted BCE on logits, with the
output bias started at the log-odds of the crack rate.
"""
import math
import numpy as np
import torch
from torch import nn
import nndoctor

BANDS = 48


def tap_spectra(n, rng):
    f = np.linspace(0, 1, BANDS)
    y = (rng.random(n) < 0.09).astype(np.float32)
    X = np.zeros((n, BANDS), np.float32)
    for i in range(n):
        f0 = rng.normal(0.3, 0.04)
        spec = sum(np.exp(-((f - k * f0) ** 2) / (2 * 0.012 ** 2)) / k ** 0.5 for k in (1, 2, 3))
        if y[i]:
            spec = spec * np.where(f > f0 * 1.5, rng.uniform(0.55, 1.0), 1.0)
            spec = spec + 0.08 * np.exp(-((f - rng.uniform(0.1, 0.9)) ** 2) / 0.002)
        X[i] = np.log(spec + 0.05) + rng.normal(0, 0.2, BANDS)
    return X, y


class TapNet(nn.Module):
    def __init__(self, prior):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv1d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
                                  nn.Conv1d(16, 32, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(6))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(32 * 6, 64), nn.ReLU(), nn.Linear(64, 1))
        nn.init.constant_(self.head[-1].bias, math.log(prior / (1 - prior)))

    def forward(self, x):
        return self.head(self.conv(x.unsqueeze(1))).squeeze(-1)


def setup():
    torch.manual_seed(17)
    rng = np.random.default_rng(17)
    X, y = tap_spectra(3000, rng)
    mu, sd = X[:2200].mean(0), X[:2200].std(0)
    X = torch.tensor((X - mu) / sd)
    y = torch.tensor(y)
    prior = y[:2200].mean().item()
    return nndoctor.Setup(
        model=TapNet(prior),
        train=(X[:2200], y[:2200]),
        val=(X[2200:], y[2200:]),
        loss=nn.BCEWithLogitsLoss(pos_weight=torch.tensor((1 - prior) / prior)),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
