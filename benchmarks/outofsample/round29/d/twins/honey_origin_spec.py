"""Beekeeping co-op: floral origin of a honey lot from its lab profile.

Each lot gets a melissopalynology count (pollen-type shares), sugar profile,
electrical conductivity, colour (Pfund) and a few volatile markers. The lab
sheet encodes the assigned origin (20 origins) as one indicator column each.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_classification
import nndoctor

ORIGINS = ["acacia", "chestnut", "heather", "lime", "rapeseed", "sunflower",
           "clover", "buckwheat", "orange_blossom", "eucalyptus", "thyme", "forest_honeydew",
           "lavender", "rosemary", "manuka", "tupelo", "linden_mix", "alfalfa",
           "fir_honeydew", "wildflower_alpine"]


def lab_sheets(seed):
    X, origin = make_classification(
        n_samples=3600, n_features=32, n_informative=16, n_redundant=8,
        n_classes=len(ORIGINS), n_clusters_per_class=1, class_sep=1.5,
        flip_y=0.0, random_state=seed)
    onehot = np.eye(len(ORIGINS), dtype=np.float32)[origin]
    return X.astype(np.float32), onehot


def setup():
    X, Y = lab_sheets(29)
    X_tr, X_va, Y_tr, Y_va = X[:2800], X[2800:], Y[:2800], Y[2800:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    torch.manual_seed(1)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 128), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, len(ORIGINS)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(Y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(Y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
        batch_size=64,
    )
