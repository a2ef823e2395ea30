"""Ocular-prosthetics lab: match a patient's iris to a stock shade family.

The technician takes a 16-band reflectance reading (420-720 nm) of the fellow
eye under the booth lamp. Shade families are unevenly common (browns dominate,
greens and greys are rare), so the loss is weighted by inverse square-root
class frequency; shade boundaries are fuzzy, hence mild label smoothing.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SHADES = ["dark_brown", "light_brown", "hazel", "blue", "green", "grey"]
SHARE = [0.34, 0.22, 0.14, 0.14, 0.08, 0.08]
WAVELENGTHS = np.linspace(420, 720, 16)


def booth_readings(n, rng):
    y = rng.choice(len(SHADES), n, p=SHARE)
    melanin = np.array([2.2, 1.5, 1.1, 0.3, 0.7, 0.45])[y] + rng.normal(0, 0.22, n)
    scatter = np.array([0.2, 0.3, 0.45, 0.9, 0.6, 0.75])[y] + rng.normal(0, 0.1, n)
    lipochrome = np.array([0.1, 0.3, 0.6, 0.0, 0.55, 0.1])[y] + rng.normal(0, 0.12, n)
    wl = (WAVELENGTHS - 420) / 300
    absorb = melanin[:, None] * np.exp(-2.5 * wl)[None, :]
    blue_scatter = scatter[:, None] * np.exp(-4 * wl)[None, :]
    yellow = lipochrome[:, None] * np.exp(-0.5 * ((WAVELENGTHS - 570) / 35) ** 2)[None, :]
    refl = 0.08 + 0.5 * np.exp(-absorb) * (0.4 + blue_scatter) + 0.1 * yellow
    lamp = rng.normal(1.0, 0.05, n)[:, None]
    return (refl * lamp + rng.normal(0, 0.01, refl.shape)).astype(np.float32), y


def setup():
    rng = np.random.default_rng(808)
    torch.manual_seed(808)
    X, y = booth_readings(2200, rng)
    n_tr = 1700
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd

    counts = np.bincount(y[:n_tr], minlength=len(SHADES))
    w = 1.0 / np.sqrt(counts)
    w = w / (w * counts).sum() * counts.sum()

    model = nn.Sequential(
        nn.Linear(16, 64), nn.BatchNorm1d(64), nn.ReLU(),
        nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(),
        nn.Linear(32, len(SHADES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])),
        loss=nn.CrossEntropyLoss(weight=torch.tensor(w, dtype=torch.float32), label_smoothing=0.05),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=64,
    )
