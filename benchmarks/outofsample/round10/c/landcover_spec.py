"""Land-cover classification of image patches from per-band spectral statistics.

12 land-cover classes; each patch is summarised by mean/std/percentiles of 8 spectral
bands plus 4 vegetation/water indices (36 features). Synthetic, standardised.
"""
import numpy as np
import torch
from sklearn.datasets import make_classification
from torch import nn

import nndoctor

N_CLASSES = 12


def load_patches(seed=23):
    X, y = make_classification(n_samples=4000, n_features=36, n_informative=18, n_redundant=10,
                               n_classes=N_CLASSES, n_clusters_per_class=2, class_sep=1.2,
                               flip_y=0.01, random_state=seed)
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(y))
    X, y = X[idx].astype(np.float32), y[idx]
    mu, sd = X[:3200].mean(0), X[:3200].std(0)
    return (X - mu) / sd, y


def setup():
    torch.manual_seed(23)
    X, y = load_patches()
    targets = np.eye(N_CLASSES, dtype=np.float32)[y]
    model = nn.Sequential(
        nn.Linear(36, 128), nn.ReLU(),
        nn.Linear(128, 128), nn.ReLU(),
        nn.Linear(128, N_CLASSES),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:3200]), torch.from_numpy(targets[:3200])),
        val=(torch.from_numpy(X[3200:]), torch.from_numpy(targets[3200:])),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        batch_size=64,
    )
