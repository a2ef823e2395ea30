"""Checkup spec: churn-segment classifier on 30 engineered account features.

A plain MLP tower, 6 hidden layers of 128 units, trained with SGD + Nesterov momentum.
Features are standardised with training statistics.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
import nndoctor

ACT = nn.ReLU


def tower(n_in, n_out, width=128, depth=6):
    layers, d = [], n_in
    for _ in range(depth):
        layers += [nn.Linear(d, width), ACT()]
        d = width
    layers.append(nn.Linear(d, n_out))
    return nn.Sequential(*layers)


def setup():
    torch.manual_seed(0)
    X, y = make_classification(n_samples=3000, n_features=30, n_informative=14, n_redundant=6,
                               n_classes=5, n_clusters_per_class=2, class_sep=1.2, random_state=3)
    X_tr, X_va, y_tr, y_va = X[:2400], X[2400:], y[:2400], y[2400:]
    sc = StandardScaler().fit(X_tr)
    X_tr, X_va = sc.transform(X_tr).astype(np.float32), sc.transform(X_va).astype(np.float32)
    return nndoctor.Setup(
        model=tower(30, 5),
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4),
        batch_size=64,
    )
