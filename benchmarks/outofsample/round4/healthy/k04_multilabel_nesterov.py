"""Checkup spec: make_multilabel_classification (5 labels, count features, log1p + standardised),
MLP with dropout, BCEWithLogitsLoss, SGD with Nesterov momentum."""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_multilabel_classification

import nndoctor


def setup():
    torch.manual_seed(0)
    X, Y = make_multilabel_classification(n_samples=6000, n_features=30, n_classes=5, n_labels=2,
                                          random_state=0)
    X = np.log1p(X)
    X_tr, X_va, Y_tr, Y_va = X[:5000], X[5000:], Y[:5000], Y[5000:]
    mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 5))
    return nndoctor.Setup(
        model=model,
        train=(f((X_tr - mu) / sd), f(Y_tr)),
        val=(f((X_va - mu) / sd), f(Y_va)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.02, momentum=0.9, nesterov=True, weight_decay=1e-3),
        batch_size=32,
    )
