"""Dose-band classification from a 10-channel dosimeter array: the band (low / medium / high)
depends on the total deviation from the calibration point across all channels."""
import torch
from torch import nn
from sklearn.datasets import make_gaussian_quantiles

import nndoctor


def block(n_in, n_out):
    return nn.Sequential(nn.Linear(n_in, n_out), nn.Dropout(0.1))


def setup():
    torch.manual_seed(0)
    X, y = make_gaussian_quantiles(n_samples=3000, n_features=10, n_classes=3, random_state=5)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y)
    model = nn.Sequential(block(10, 128), block(128, 128), nn.Linear(128, 3))
    return nndoctor.Setup(
        model=model,
        train=(X[:2400], y[:2400]),
        val=(X[2400:], y[2400:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=1e-3),
        batch_size=64,
    )
