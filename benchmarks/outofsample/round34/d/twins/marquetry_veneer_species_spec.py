"""Marquetry workshop: identify the veneer species of an offcut from its scan descriptors.

Each offcut is photographed under raking light; a feature extractor gives 36 descriptors
(Gabor energies at 4 scales x 6 orientations, CIELAB colour mean/spread, ray-fleck and
pore density, figure contrast, sheen). 12 species in stock. MLP with BatchNorm.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
import nndoctor

SPECIES = ["sycamore", "walnut", "bird's-eye maple", "rosewood", "satinwood", "ebony", "amboyna", "wenge",
           "zebrano", "purpleheart", "lacewood", "pear", "cherry", "yew", "olive ash", "kingwood",
           "holly", "oak", "padauk", "tulipwood", "burr elm", "box", "macassar ebony", "bubinga"]


def offcut_scans():
    X, y = make_classification(n_samples=6000, n_features=36, n_informative=20, n_redundant=6,
                               n_classes=len(SPECIES), n_clusters_per_class=2, class_sep=1.5,
                               flip_y=0.0, random_state=7)
    gabor = np.log1p(np.exp(X[:, :24]))                      # energies are non-negative
    return np.column_stack([gabor, X[:, 24:]]).astype(np.float32), y


def setup():
    torch.manual_seed(7)
    X, y = offcut_scans()
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, stratify=y, random_state=7)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    Y_tr, Y_va = torch.tensor(y_tr), torch.tensor(y_va)

    model = nn.Sequential(
        nn.Linear(36, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU(),
        nn.Linear(64, len(SPECIES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X_tr), Y_tr),
        val=(torch.tensor(X_va), Y_va),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9, weight_decay=5e-4),
        batch_size=64,
    )
