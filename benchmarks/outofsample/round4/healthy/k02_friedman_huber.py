"""Checkup spec: make_friedman1 regression (10 features, 5 informative), standardised
features and targets, MLP, Huber loss, AdamW."""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_friedman1

import nndoctor


def setup():
    torch.manual_seed(0)
    X, y = make_friedman1(n_samples=2000, n_features=10, noise=1.0, random_state=0)
    X_tr, X_va, y_tr, y_va = X[:1600], X[1600:], y[:1600], y[1600:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    ym, ys = y_tr.mean(), y_tr.std()
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    return nndoctor.Setup(
        model=model,
        train=(f((X_tr - mu) / sd), f((y_tr - ym) / ys)[:, None]),
        val=(f((X_va - mu) / sd), f((y_va - ym) / ys)[:, None]),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=32,
    )
