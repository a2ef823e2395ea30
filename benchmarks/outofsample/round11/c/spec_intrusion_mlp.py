"""Checkup spec: classify network flows into 5 traffic types from 30 flow statistics.

Synthetic flow records (make_classification with redundant and noisy features, mild class
imbalance), standardised with training statistics. A 5-hidden-layer ReLU MLP whose weights
are initialised explicitly, trained with SGD + momentum.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

import nndoctor


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, mean=0.0, std=0.01)
        nn.init.zeros_(m.bias)


def setup():
    torch.manual_seed(0)
    X, y = make_classification(
        n_samples=5000, n_features=30, n_informative=14, n_redundant=8, n_classes=5,
        n_clusters_per_class=2, weights=[0.3, 0.25, 0.2, 0.15, 0.1], class_sep=1.2,
        flip_y=0.01, random_state=4,
    )
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, stratify=y, random_state=4)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr = ((X_tr - mu) / sd).astype(np.float32)
    X_va = ((X_va - mu) / sd).astype(np.float32)

    widths = [30, 256, 256, 256, 256, 256]
    layers = []
    for a, b in zip(widths[:-1], widths[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    model = nn.Sequential(*layers, nn.Linear(widths[-1], 5))
    model.apply(init_weights)

    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr).long()),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va).long()),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.02, momentum=0.9, weight_decay=5e-4),
        batch_size=64,
    )
