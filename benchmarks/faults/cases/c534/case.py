import torch
from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def setup():
    X, Y = make_multilabel_classification(n_samples=1000, n_features=20, n_classes=5, n_labels=2, random_state=0)
    X_train, X_val, Y_train, Y_val = train_test_split(X, Y.astype("float32"), test_size=0.2, random_state=0)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 2), nn.ReLU(), nn.Linear(2, 5))
    return nndoctor.Setup(
        model=model,
        train=(X_train, Y_train),
        val=(X_val, Y_val),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )
