"""Checkup spec: tanh MLP for the Wisconsin breast-cancer biopsies (binary, logits).

30 cell-nucleus measurements, log-transformed where heavy-tailed, then
standardised with training statistics; stratified 75/25 split.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

import nndoctor


def setup():
    torch.manual_seed(0)
    data = load_breast_cancer()
    X, y = data.data, data.target.astype(np.float32)
    skewed = [i for i, name in enumerate(data.feature_names) if "area" in name or "perimeter" in name]
    X[:, skewed] = np.log1p(X[:, skewed])
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    t = lambda a: torch.tensor((a - mu) / sd, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(30, 64), nn.Tanh(), nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 1))
    return nndoctor.Setup(
        model=model,
        train=(t(X_tr), torch.tensor(y_tr).unsqueeze(1)),
        val=(t(X_va), torch.tensor(y_va).unsqueeze(1)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True),
        batch_size=16,
    )
