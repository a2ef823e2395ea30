"""Checkup spec: 3-class fault detection on imbalanced machine telemetry (85% / 11% / 4%).

The imbalance is the real class prior and is handled on purpose: the cross-entropy is weighted
by the square root of the inverse class frequency (normalised to mean 1), the split is stratified,
and the number to watch is balanced accuracy, not accuracy.  MLP with dropout, standardised
inputs, AdamW with weight decay.
"""
import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def make_data(seed=4):
    X, y = make_classification(n_samples=5000, n_features=24, n_informative=10, n_redundant=4,
                               n_classes=3, n_clusters_per_class=2, weights=[0.85, 0.11, 0.04],
                               class_sep=1.0, flip_y=0.0, random_state=seed)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    f = lambda a: torch.tensor((a - mu) / sd, dtype=torch.float32)
    return f(Xtr), f(Xva), torch.tensor(ytr), torch.tensor(yva)


def class_weights(y, n_classes=3):
    freq = torch.bincount(y, minlength=n_classes).float() / len(y)
    w = freq.rsqrt()
    return w / w.mean()


def build_model(n_in=24):
    return nn.Sequential(
        nn.Linear(n_in, 128), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(128, 64), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(64, 3),
    )


def setup():
    torch.manual_seed(0)
    Xtr, Xva, ytr, yva = make_data()
    return nndoctor.Setup(
        model=build_model(),
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.CrossEntropyLoss(weight=class_weights(ytr)),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05),
        batch_size=64,
    )
