"""Checkup spec: concentric Gaussian shells (sklearn make_gaussian_quantiles), 5 classes in 12-d.

A 3-hidden-layer tanh MLP; hidden weights drawn from U(-1, 1) (the classic
"small random weights" recipe), output layer left at PyTorch's default.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_gaussian_quantiles
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import nndoctor


class ShellNet(nn.Module):
    def __init__(self, d_in=12, width=160, depth=3, n_classes=5):
        super().__init__()
        dims = [d_in] + [width] * depth
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.out = nn.Linear(width, n_classes)
        for layer in self.hidden:
            nn.init.xavier_uniform_(layer.weight, gain=nn.init.calculate_gain("tanh"))
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        for layer in self.hidden:
            x = torch.tanh(layer(x))
        return self.out(x)


def setup():
    torch.manual_seed(0)
    X, y = make_gaussian_quantiles(n_samples=5000, n_features=12, n_classes=5, random_state=3)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    sc = StandardScaler().fit(X_tr)
    to_t = lambda a: torch.tensor(a, dtype=torch.float32)
    return nndoctor.Setup(
        model=ShellNet(),
        train=(to_t(sc.transform(X_tr)), torch.tensor(y_tr)),
        val=(to_t(sc.transform(X_va)), torch.tensor(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9, nesterov=True),
        batch_size=64,
        name="gaussian-shells-tanh",
    )
