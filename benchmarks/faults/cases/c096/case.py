import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def block(n_in, n_out, p):
    return nn.Sequential(nn.Linear(n_in, n_out), nn.BatchNorm1d(n_out), nn.ReLU(), nn.Dropout(p))


def setup():
    X, y = load_digits(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=3, stratify=y)
    X_train, X_val = X_train / 16.0 - 0.5, X_val / 16.0 - 0.5

    torch.manual_seed(0)
    model = nn.Sequential(block(64, 256, 0.9), block(256, 128, 0.9), nn.Linear(128, 10))
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
