import numpy as np
import torch
from sklearn.datasets import make_circles
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def setup():
    X, y = make_circles(n_samples=1000, noise=0.08, factor=0.5, random_state=0)
    X_train, X_val, y_train, y_val = train_test_split(X, y.astype(np.float32), test_size=0.25, random_state=0)
    X_train, X_val = X_train / 0.6, X_val / 0.6

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1), nn.Flatten(0))
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-2),
        batch_size=32,
    )
