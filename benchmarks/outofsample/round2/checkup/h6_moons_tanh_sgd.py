import numpy as np
import torch
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def setup():
    X, y = make_moons(n_samples=3000, noise=0.2, random_state=601)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=601)
    m, s = X_train.mean(0), X_train.std(0)
    X_train, X_val = ((X_train - m) / s).astype(np.float32), ((X_val - m) / s).astype(np.float32)
    torch.manual_seed(16)
    model = nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train.reshape(-1, 1).astype(np.float32)),
        val=(X_val, y_val.reshape(-1, 1).astype(np.float32)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9),
        batch_size=32,
    )
