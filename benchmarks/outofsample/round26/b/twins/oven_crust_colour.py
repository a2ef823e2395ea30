"""Checkup spec: predict the crust-colour score (L* drop, standardised) of a bread batch
from the deck oven's per-minute temperature log over the 64-minute bake. 1D CNN regressor."""
import numpy as np
import torch
from torch import nn
import nndoctor

T_STEPS = 64
POOL = 16


def simulate(n, rng):
    t = np.arange(T_STEPS)
    setpoint = rng.uniform(222, 238, n)[:, None]
    drop = rng.uniform(20, 60, n)[:, None]                     # door open at loading
    recovery = rng.uniform(0.05, 0.35, n)[:, None]             # burner strength
    curve = setpoint - drop * np.exp(-recovery * t)
    # burner cycling and door openings for loading other decks wander the deck temperature
    dev = np.zeros((n, T_STEPS))
    shocks = rng.normal(0, 6.0, (n, T_STEPS))
    for k in range(1, T_STEPS):
        dev[:, k] = 0.93 * dev[:, k - 1] + shocks[:, k]
    curve = curve + dev
    # browning only runs above ~180 C and mostly once the crust has dried (late minutes)
    w = 1 / (1 + np.exp(-(t - 38) / 4))
    brown = (w * np.log1p(np.exp((curve - 215) / 6))).sum(1)
    y = brown + rng.normal(0, 0.15 * brown.std(), n)
    return curve.astype(np.float32), y.astype(np.float32)


class CrustCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 5, padding=2), nn.ReLU(),
            nn.Conv1d(16, 32, 5, padding=2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(POOL), nn.Flatten())
        self.head = nn.Sequential(nn.Linear(32 * POOL, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.head(self.features(x))


def setup():
    torch.manual_seed(17)
    rng = np.random.default_rng(17)
    X, y = simulate(2000, rng)
    x_mu, x_sd = X[:1600].mean(), X[:1600].std()
    y_mu, y_sd = y[:1600].mean(), y[:1600].std()
    X = torch.tensor((X - x_mu) / x_sd)[:, None, :]
    y = torch.tensor((y - y_mu) / y_sd)[:, None]
    return nndoctor.Setup(
        model=CrustCNN(),
        train=(X[:1600], y[:1600]),
        val=(X[1600:], y[1600:]),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
