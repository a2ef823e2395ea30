"""Checkup spec: 26-way glyph classification from 16 hand-crafted stroke statistics.

Stand-in for the UCI letter-recognition table (bounding-box size, pixel counts, edge counts,
moments). Labels are stored one-hot, as the upstream export ships them.
"""
import numpy as np
import torch
from sklearn.datasets import make_classification
from torch import nn

import nndoctor


def load_glyphs():
    X, y = make_classification(n_samples=6000, n_features=16, n_informative=12, n_redundant=2,
                               n_classes=26, n_clusters_per_class=1, class_sep=1.6,
                               random_state=5)
    onehot = np.eye(26, dtype=np.float32)[y]
    return X.astype(np.float32), onehot


def setup():
    torch.manual_seed(0)
    X, Y = load_glyphs()
    mu, sd = X[:4800].mean(0), X[:4800].std(0)
    X = (X - mu) / sd
    model = nn.Sequential(
        nn.Linear(16, 128), nn.ReLU(),
        nn.Linear(128, 128), nn.ReLU(),
        nn.Linear(128, 26),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:4800]), torch.from_numpy(Y[:4800])),
        val=(torch.from_numpy(X[4800:]), torch.from_numpy(Y[4800:])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4),
        batch_size=64,
    )
