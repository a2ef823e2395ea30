import numpy as np
import torch
from sklearn.datasets import make_blobs
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def setup():
    X, y = make_blobs(n_samples=3000, n_features=12, centers=6, cluster_std=2.5, random_state=1001)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=1001, stratify=y)
    m, s = X_train.mean(0), X_train.std(0)
    X_train, X_val = ((X_train - m) / s).astype(np.float32), ((X_val - m) / s).astype(np.float32)
    torch.manual_seed(24)
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train.astype(np.float32).reshape(-1, 1)),
        val=(X_val, y_val.astype(np.float32).reshape(-1, 1)),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
