"""Checkup spec: land-cover type from 18 spectral/texture band statistics (synthetic).

Classes are category ids 0..5 (water, forest, cropland, urban, bare soil, wetland).
The network predicts the class id with a single output; at inference the prediction
is rounded and clipped to the nearest valid id.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import nndoctor

LAND_COVER = ["water", "forest", "cropland", "urban", "bare", "wetland"]


class BandMLP(nn.Module):
    def __init__(self, d_in=18, width=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, width), nn.BatchNorm1d(width), nn.ReLU(),
            nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU(),
            nn.Linear(width, len(LAND_COVER)),
        )

    def forward(self, x):
        return self.net(x)

    @torch.no_grad()
    def predict(self, x):
        return self(x).round().clamp(0, len(LAND_COVER) - 1).long().squeeze(1)


def setup():
    torch.manual_seed(0)
    X, y = make_classification(n_samples=5000, n_features=18, n_informative=10, n_redundant=4,
                               n_classes=len(LAND_COVER), n_clusters_per_class=1, class_sep=1.5,
                               random_state=21)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    sc = StandardScaler().fit(X_tr)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    return nndoctor.Setup(
        model=BandMLP(),
        train=(f(sc.transform(X_tr)), torch.tensor(y_tr)),
        val=(f(sc.transform(X_va)), torch.tensor(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=1e-3, weight_decay=1e-5),
        batch_size=64,
        name="landcover-mlp",
    )
