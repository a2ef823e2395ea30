"""Yeast strain identification from plate-reader growth-curve features.

Each culture is summarised by 16 numbers (lag time, max growth rate, carrying
capacity, diauxic shift time, OD at fixed hours, pH drift, ...).  18 brewery /
bakery strains.  The encoder's output is the strain "profile" vector the lab
reuses for nearest-neighbour lookups of new isolates.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import nndoctor

N_STRAINS = 18
PROFILE_DIM = 32


def load_growth_features(seed=7):
    X, y = make_classification(
        n_samples=5400, n_features=16, n_informative=12, n_redundant=2,
        n_classes=N_STRAINS, n_clusters_per_class=1, class_sep=1.6,
        flip_y=0.01, random_state=seed,
    )
    # plate-reader units: lag in hours, rates per hour, OD600 ...
    scale = np.array([4.0, 0.3, 1.2, 6.0, 0.5, 0.5, 0.6, 0.8, 0.2, 0.1,
                      2.0, 1.5, 0.7, 0.4, 3.0, 0.9])
    offset = np.array([3.0, 0.6, 1.8, 12.0, 0.2, 0.5, 0.9, 1.2, 6.5, 0.3,
                       8.0, 4.0, 1.1, 0.8, 20.0, 2.0])
    return X * scale + offset, y


class StrainNet(nn.Module):
    def __init__(self, d_in, n_classes, profile_dim=PROFILE_DIM):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(d_in, 96), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(96, profile_dim),
        )
        self.head = nn.Sequential(
            nn.Linear(profile_dim, 96), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(96, n_classes),
        )

    def forward(self, x):
        return self.head(self.encoder(x))


def setup():
    torch.manual_seed(0)
    X, y = load_growth_features()
    X_tr, X_va, y_tr, y_va = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0)
    scaler = StandardScaler().fit(X_tr)
    X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
    X_va = torch.tensor(scaler.transform(X_va), dtype=torch.float32)
    y_tr = torch.tensor(y_tr, dtype=torch.long)
    y_va = torch.tensor(y_va, dtype=torch.long)
    model = StrainNet(X_tr.shape[1], N_STRAINS)
    return nndoctor.Setup(
        model=model,
        train=(X_tr, y_tr),
        val=(X_va, y_va),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=64,
    )
