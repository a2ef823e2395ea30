"""Checkup spec: digits MLP; the small data set is enlarged x4 with jittered copies before the random split."""
import numpy as np
import torch
import nndoctor
from torch import nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def augment(X, y, copies=3, sigma=0.03, seed=0):
    rng = np.random.default_rng(seed)
    Xs, ys = [X], [y]
    for _ in range(copies):
        Xs.append(np.clip(X + sigma * rng.standard_normal(X.shape), 0, 1)); ys.append(y)
    return np.concatenate(Xs), np.concatenate(ys)


def setup():
    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X, y = augment(X, y)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    Xtr, Xva = (Xtr - 0.5) / 0.5, (Xva - 0.5) / 0.5
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(Xtr, dtype=torch.float32), torch.tensor(ytr)),
        val=(torch.tensor(Xva, dtype=torch.float32), torch.tensor(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=64,
    )
