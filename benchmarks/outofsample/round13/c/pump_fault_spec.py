"""Checkup spec: fault classification for centrifugal pumps from 1-minute SCADA aggregates.

Classes: 0 normal, 1 cavitation, 2 bearing wear, 3 seal leak.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

import nndoctor

N_CLASSES = 4


def load_scada(seed=5):
    X, y = make_classification(n_samples=5000, n_features=16, n_informative=10, n_redundant=3,
                               n_classes=N_CLASSES, n_clusters_per_class=1, weights=[0.94, 0.02, 0.02, 0.02],
                               class_sep=0.8, flip_y=0.01, random_state=seed)
    return X.astype(np.float32), y.astype(np.int64)


def setup():
    torch.manual_seed(0)
    X, y = load_scada()
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    counts = np.bincount(ytr, minlength=N_CLASSES).astype(np.float32)
    class_weight = torch.tensor(counts / counts.sum())

    model = nn.Sequential(
        nn.Linear(16, 96), nn.ReLU(),
        nn.Linear(96, 96), nn.ReLU(),
        nn.Linear(96, N_CLASSES),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(weight=class_weight),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
