"""Checkup spec: per-pixel land-cover classes from 10 Sentinel-2-like surface reflectance bands.

Training labels come from two annotation contractors: batch A was delivered as class ids,
batch B as class names. Validation is the team's own verified polygons.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

CLASSES = ["water", "forest", "cropland", "urban", "bare"]
BANDS = 10
# mean reflectance per class and band (B2..B12)
PROFILES = np.array([
    [0.06, 0.05, 0.04, 0.03, 0.03, 0.02, 0.02, 0.02, 0.01, 0.01],
    [0.03, 0.05, 0.03, 0.08, 0.22, 0.28, 0.30, 0.31, 0.15, 0.07],
    [0.05, 0.08, 0.07, 0.12, 0.25, 0.30, 0.33, 0.34, 0.22, 0.13],
    [0.10, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17, 0.20, 0.18],
    [0.12, 0.15, 0.19, 0.21, 0.23, 0.24, 0.25, 0.27, 0.33, 0.28],
])


def pixels(n, rng):
    y = rng.integers(0, len(CLASSES), n)
    bright = rng.lognormal(0, 0.18, (n, 1))
    X = PROFILES[y] * bright + rng.normal(0, 0.022, (n, BANDS))
    ndvi = (X[:, 6] - X[:, 2]) / (X[:, 6] + X[:, 2] + 1e-3)
    ndwi = (X[:, 1] - X[:, 6]) / (X[:, 1] + X[:, 6] + 1e-3)
    return np.column_stack([X, ndvi, ndwi]).astype(np.float32), y


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(8)
    X_a, y_a = pixels(1400, rng)
    X_b, y_b_true = pixels(1000, rng)
    names_b = [CLASSES[i] for i in y_b_true]          # contractor B's delivery
    y_b = np.array([sorted(CLASSES).index(name) for name in names_b])
    X_val, y_val = pixels(600, rng)

    X_tr = np.concatenate([X_a, X_b])
    y_tr = np.concatenate([y_a, y_b])
    mu, sd = X_tr.mean(0), X_tr.std(0)
    t = lambda a: torch.from_numpy((a - mu) / sd).float()
    model = nn.Sequential(nn.Linear(X_tr.shape[1], 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                          nn.Linear(64, len(CLASSES)))
    return nndoctor.Setup(
        model=model,
        train=(t(X_tr), torch.from_numpy(y_tr).long()),
        val=(t(X_val), torch.from_numpy(y_val).long()),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3, weight_decay=1e-4),
        batch_size=64,
    )
