"""Breast-cancer screening MLP. The size/texture measurements are right-skewed, so they are
log-transformed before standardising (a common tabular recipe)."""
import numpy as np
import torch
from torch import nn
import nndoctor
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split


def setup():
    torch.manual_seed(0)
    data = load_breast_cancer()
    X = data.data.astype(np.float64)
    y = data.target.astype(np.int64)

    # skewed, strictly "positive" measurements -> log scale
    skewed = [i for i, name in enumerate(data.feature_names)
              if any(k in name for k in ("area", "concav", "radius error", "perimeter error"))]
    with np.errstate(divide="ignore"):
        X[:, skewed] = np.log(X[:, skewed])

    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr = (Xtr - mu) / sd
    Xva = (Xva - mu) / sd

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 2),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(Xtr, dtype=torch.float32), torch.tensor(ytr)),
        val=(torch.tensor(Xva, dtype=torch.float32), torch.tensor(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=1e-3),
        batch_size=32,
    )
