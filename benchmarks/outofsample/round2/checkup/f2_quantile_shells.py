import numpy as np
import torch
from sklearn.datasets import make_gaussian_quantiles
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def setup():
    X, y = make_gaussian_quantiles(n_samples=4000, n_features=6, n_classes=3, random_state=801)
    rng = np.random.default_rng(801)
    idx = rng.random(len(y)) < 0.25
    y = y.copy()
    y[idx] = (y[idx] + rng.integers(1, 3, idx.sum())) % 3
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=801)
    m, s = X_train.mean(0), X_train.std(0)
    X_train, X_val = ((X_train - m) / s).astype(np.float32), ((X_val - m) / s).astype(np.float32)
    torch.manual_seed(22)
    model = nn.Sequential(nn.Linear(6, 96), nn.SiLU(), nn.Linear(96, 96), nn.SiLU(), nn.Linear(96, 3))
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
