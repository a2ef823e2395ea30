"""Checkup spec: tapering MLP (each hidden layer half the previous) on 8x8 digit scans."""
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def tapered_mlp(n_in, n_out, depth):
    layers, width = [], n_in
    for _ in range(depth):
        layers += [nn.Linear(width, width // 2), nn.BatchNorm1d(width // 2), nn.ReLU()]
        width //= 2
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


def setup():
    torch.manual_seed(12)
    d = load_digits()
    X = d.data.astype(np.float32) / 8.0 - 1.0
    X_tr, X_va, y_tr, y_va = train_test_split(X, d.target, test_size=0.25, random_state=12,
                                              stratify=d.target)
    model = tapered_mlp(64, 10, depth=2)
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )
