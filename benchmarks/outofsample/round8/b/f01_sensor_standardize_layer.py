"""Fault classification for a pump-monitoring rig: 14 sensor channels + rig metadata.

The model carries its own input standardisation (statistics frozen from the
training set) so the exported module can be fed raw sensor readings.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_classification

import nndoctor


class Standardize(nn.Module):
    def __init__(self, X):
        super().__init__()
        X = torch.as_tensor(X, dtype=torch.float32)
        self.register_buffer("mean", X.mean(0))
        self.register_buffer("std", X.std(0))

    def forward(self, x):
        return (x - self.mean) / self.std


def load_rig_data(seed=0):
    X, y = make_classification(n_samples=2400, n_features=14, n_informative=9, n_redundant=3,
                               n_classes=4, n_clusters_per_class=2, class_sep=1.2, random_state=seed)
    rng = np.random.default_rng(seed)
    # raw engineering units: pressures in bar, temperatures in degC, vibration in mm/s
    scale = rng.uniform(0.5, 4.0, size=14)
    offset = rng.uniform(-2.0, 8.0, size=14)
    X = X * scale + offset
    # metadata columns logged with every record: firmware revision and sample rate (kHz);
    # this campaign ran on a single rig configuration
    firmware = np.full((len(X), 1), 3.0)
    rate = np.full((len(X), 1), 12.8)
    X = np.hstack([X, firmware, rate]).astype(np.float32)
    return X, y.astype(np.int64)


def setup():
    torch.manual_seed(0)
    X, y = map(torch.as_tensor, load_rig_data())
    Xtr, ytr, Xva, yva = X[:1900], y[:1900], X[1900:], y[1900:]
    model = nn.Sequential(
        Standardize(Xtr),
        nn.Linear(X.shape[1], 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 4),
    )
    return nndoctor.Setup(
        model=model,
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=1e-3),
        batch_size=64,
    )
