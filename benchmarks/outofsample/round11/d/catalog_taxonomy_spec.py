"""Checkup spec: map marketplace listings to one of 24 leaf categories of the catalog
taxonomy from 40 engineered listing attributes (text-statistics, price bands, image
descriptors already reduced upstream). The network projects to a compact listing
embedding that the search team also reuses for nearest-neighbour lookups.
"""
import torch
from torch import nn
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

import nndoctor

N_CATEGORIES = 24
EMBED_DIM = 6


class ListingClassifier(nn.Module):
    def __init__(self, n_in, n_out, embed_dim=EMBED_DIM):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(n_in, 256), nn.ReLU(),
            nn.Linear(256, 128), nn.ReLU(),
            nn.Linear(128, embed_dim), nn.ReLU(),
        )
        self.classifier = nn.Linear(embed_dim, n_out)

    def forward(self, x):
        return self.classifier(self.encoder(x))


def setup():
    torch.manual_seed(5)
    X, y = make_classification(n_samples=6000, n_features=40, n_informative=28, n_redundant=6,
                               n_classes=N_CATEGORIES, n_clusters_per_class=1, class_sep=1.6,
                               flip_y=0.01, random_state=5)
    X_tr, y_tr, X_va, y_va = X[:4800], y[:4800], X[4800:], y[4800:]
    scaler = StandardScaler().fit(X_tr)
    X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
    X_va = torch.tensor(scaler.transform(X_va), dtype=torch.float32)
    y_tr, y_va = torch.as_tensor(y_tr), torch.as_tensor(y_va)
    return nndoctor.Setup(
        model=ListingClassifier(X_tr.shape[1], N_CATEGORIES),
        train=(X_tr, y_tr),
        val=(X_va, y_va),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
