"""Checkup spec: 7-way land-cover classification from 24 per-pixel spectral/terrain features
(synthetic stand-in for a covertype-like survey), with a deep residual MLP (ResMLP-style)."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

import nndoctor


class ResidualBlock(nn.Module):
    def __init__(self, width, expansion=2, dropout=0.1):
        super().__init__()
        self.ff = nn.Sequential(
            nn.Linear(width, expansion * width), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(expansion * width, width),
        )

    def forward(self, x):
        return x + self.ff(x)


class ResMLP(nn.Module):
    def __init__(self, d_in, n_classes, width=64, depth=14):
        super().__init__()
        self.stem = nn.Linear(d_in, width)
        self.blocks = nn.Sequential(*[ResidualBlock(width) for _ in range(depth)])
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(width, n_classes))

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))


def setup():
    torch.manual_seed(3)
    X, y = make_classification(n_samples=8000, n_features=24, n_informative=14, n_redundant=4,
                               n_classes=7, n_clusters_per_class=2, class_sep=1.2, random_state=21)
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(y))
    tr, va = idx[:6400], idx[6400:]
    scaler = StandardScaler().fit(X[tr])
    X = scaler.transform(X).astype(np.float32)
    return nndoctor.Setup(
        model=ResMLP(24, 7),
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=5e-2),
        batch_size=64,
    )
