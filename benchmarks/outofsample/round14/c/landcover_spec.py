"""Land-cover classification of Sentinel-2-like pixels (checkup spec).

Each pixel has 10 reflectance bands plus 3 spectral indices (NDVI, NDWI, NDBI); 16 cover
classes (crops, forest types, water, urban, bare soil ...) with overlapping spectra and
Zipf-like class shares.
Targets are one-hot rows, as exported by the labelling tool.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_CLASSES, N_BANDS = 16, 10


def make_pixels(n, rng):
    centers = rng.uniform(0.02, 0.45, size=(N_CLASSES, N_BANDS))
    centers[:, 6:9] += np.linspace(0, 0.3, N_CLASSES)[rng.permutation(N_CLASSES)][:, None]
    share = 1.0 / np.arange(1, N_CLASSES + 1) ** 0.9
    y = rng.choice(N_CLASSES, size=n, p=share / share.sum())
    illum = rng.uniform(0.7, 1.3, size=(n, 1))
    refl = centers[y] * illum + rng.normal(0, 0.09, size=(n, N_BANDS))
    refl = np.clip(refl, 0.001, 1.0)
    red, nir, swir, green = refl[:, 3], refl[:, 7], refl[:, 8], refl[:, 2]
    ndvi = (nir - red) / (nir + red)
    ndwi = (green - nir) / (green + nir)
    ndbi = (swir - nir) / (swir + nir)
    X = np.column_stack([refl, ndvi, ndwi, ndbi]).astype(np.float32)
    return X, y


def setup():
    rng = np.random.default_rng(14)
    torch.manual_seed(14)
    X, y = make_pixels(6000, rng)
    X_tr, X_va = X[:4800], X[4800:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    Y = np.eye(N_CLASSES, dtype=np.float32)[y]
    Y_tr, Y_va = Y[:4800], Y[4800:]

    model = nn.Sequential(
        nn.Linear(X.shape[1], 128), nn.ReLU(),
        nn.Linear(128, 128), nn.ReLU(),
        nn.Linear(128, N_CLASSES),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(Y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(Y_va)),
        loss=nn.L1Loss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
