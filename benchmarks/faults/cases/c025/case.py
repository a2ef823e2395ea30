import numpy as np
import torch
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def load_table():
    X, y = make_friedman1(n_samples=1000, n_features=8, noise=0.5, random_state=0)
    plant_id = np.full((len(X), 1), 7.0)
    return np.hstack([X, plant_id]), y


def setup():
    X, y = load_table()
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=0)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std
    y_mean, y_std = y_train.mean(), y_train.std()
    y_train, y_val = (y_train - y_mean) / y_std, (y_val - y_mean) / y_std

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(9, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1), nn.Flatten(0))
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=32,
    )
