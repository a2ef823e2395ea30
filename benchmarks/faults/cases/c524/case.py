import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor
from benchmarks.faults.casedata_dml import customers


def encode(X, mean, std):
    continuous = (X[:, :5] - mean) / std
    return np.hstack([continuous, np.eye(8)[X[:, 5].astype(int)]]).astype(np.float32)


def setup():
    X, y, columns = customers(n=2000, seed=1)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mean, std = X_train[:, :5].mean(axis=0), X_train[:, :5].std(axis=0)
    X_train, X_val = encode(X_train, mean, std), encode(X_val, mean, std)
    rng = np.random.default_rng(0)
    swap = (y_train == 1) & (rng.random(len(y_train)) < 0.4)
    y_train = np.where(swap, 0, y_train)

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1), nn.Flatten(0))
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train.astype(np.float32)),
        val=(X_val, y_val.astype(np.float32)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        batch_size=32,
    )
