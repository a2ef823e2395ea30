"""Checkup spec: land-cover classification of pixels from 8 spectral bands + 2 indices.

Training labels come from two annotation campaigns: the in-house team and an external
vendor. Validation: in-house only.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

CLASSES = ["water", "forest", "crop", "urban", "bare"]
VENDOR_CODES = ["water", "crop", "forest", "bare", "urban"]

# mean reflectance per class for 8 bands (coastal .. SWIR2), loosely like Sentinel-2
SIGNATURES = np.array([
    [0.08, 0.07, 0.06, 0.04, 0.03, 0.02, 0.01, 0.01],
    [0.03, 0.04, 0.06, 0.04, 0.20, 0.30, 0.15, 0.07],
    [0.05, 0.06, 0.09, 0.08, 0.24, 0.32, 0.22, 0.12],
    [0.12, 0.13, 0.15, 0.17, 0.19, 0.21, 0.24, 0.22],
    [0.14, 0.16, 0.20, 0.24, 0.26, 0.28, 0.34, 0.30],
])


def sample_pixels(rng, n):
    y = rng.choice(5, size=n, p=[0.12, 0.28, 0.28, 0.16, 0.16])
    illum = rng.uniform(0.7, 1.3, (n, 1))
    refl = SIGNATURES[y] * illum + rng.normal(0, 0.025, (n, 8))
    ndvi = (refl[:, 5] - refl[:, 3]) / (refl[:, 5] + refl[:, 3] + 1e-6)
    ndwi = (refl[:, 2] - refl[:, 5]) / (refl[:, 2] + refl[:, 5] + 1e-6)
    X = np.column_stack([refl, ndvi, ndwi]).astype(np.float32)
    return X, y


def setup():
    torch.manual_seed(2)
    rng = np.random.default_rng(2)
    X_house, y_house = sample_pixels(rng, 1800)
    X_vendor, c_vendor = sample_pixels(rng, 1200)
    vendor_codes = np.array([VENDOR_CODES.index(CLASSES[c]) for c in c_vendor])
    X_val, y_val = sample_pixels(rng, 1000)

    y_vendor = np.array([CLASSES.index(VENDOR_CODES[k]) for k in vendor_codes])
    X_tr = np.concatenate([X_house, X_vendor])
    y_tr = np.concatenate([y_house, y_vendor])
    mu, sd = X_tr.mean(0), X_tr.std(0)
    model = nn.Sequential(
        nn.Linear(10, 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 5),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor((X_tr - mu) / sd), torch.tensor(y_tr)),
        val=(torch.tensor((X_val - mu) / sd), torch.tensor(y_val)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
