"""Checkup spec: customer-churn-style binary classifier on 24 generated account features
(two-layer MLP, Adam). Rows are shuffled once up front so the DataFrame export order
(sorted by account age) does not leak into batches."""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import nndoctor


def load_accounts(seed=7):
    X, y = make_classification(n_samples=2400, n_features=24, n_informative=14, n_redundant=4,
                               n_clusters_per_class=4, class_sep=0.9, flip_y=0.02,
                               weights=[0.6, 0.4], random_state=seed)
    order = np.argsort(X[:, 0])                    # export is sorted by the first column
    return X[order], y[order]


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = load_accounts()
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    perm = rng.permutation(len(Xtr))
    Xtr, ytr = Xtr[perm], ytr[perm]
    sc = StandardScaler().fit(Xtr)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(24, 128), nn.ReLU(), nn.Dropout(0.3),
                          nn.Linear(128, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 2))
    return nndoctor.Setup(
        model=model,
        train=(f(sc.transform(Xtr)), torch.tensor(ytr)),
        val=(f(sc.transform(Xva)), torch.tensor(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3, weight_decay=1e-4),
        batch_size=32,
    )
