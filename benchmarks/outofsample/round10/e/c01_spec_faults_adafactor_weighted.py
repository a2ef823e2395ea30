"""Checkup spec: fault-type classification for pump telemetry (20 engineered features per
window), healthy 88% / bearing 8% / cavitation 4%. Class-weighted cross-entropy with
inverse-frequency weights (normalised to mean 1), zero output bias, Adafactor at its default
relative scale lr=1e-2, stratified split.
"""
import numpy as np
import torch
import nndoctor
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from torch import nn


def setup():
    torch.manual_seed(4)
    X, y = make_classification(n_samples=4000, n_features=20, n_informative=8, n_redundant=4,
                               n_classes=3, n_clusters_per_class=2, weights=[0.88, 0.08, 0.04],
                               class_sep=1.6, flip_y=0.01, random_state=4)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=4)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr = torch.tensor((X_tr - mu) / sd, dtype=torch.float32)
    X_va = torch.tensor((X_va - mu) / sd, dtype=torch.float32)
    y_tr, y_va = torch.tensor(y_tr), torch.tensor(y_va)

    counts = torch.bincount(y_tr, minlength=3).float()
    weights = counts.sum() / (3 * counts)
    weights = weights / weights.mean()

    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    return nndoctor.Setup(
        model=model,
        train=(X_tr, y_tr),
        val=(X_va, y_va),
        loss=nn.CrossEntropyLoss(weight=weights),
        optimizer=lambda params: torch.optim.Adafactor(params, lr=1e-2),
        batch_size=64,
    )
