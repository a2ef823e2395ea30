"""Checkup spec: card-transaction fraud scoring.

About 2.5% of the transactions are fraud. Features are standardised with training
statistics and the split is stratified; the network is a plain MLP trained with
BCE on the raw labels, the way the first baseline was set up.
"""
import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

import nndoctor


def load_transactions(seed=11):
    X, y = make_classification(
        n_samples=8000, n_features=24, n_informative=8, n_redundant=6,
        n_clusters_per_class=3, weights=[0.975, 0.025], class_sep=0.9,
        flip_y=0.0, random_state=seed,
    )
    return X.astype(np.float32), y.astype(np.float32)


class FraudMLP(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, 64), nn.ReLU(),
            nn.Linear(64, 32), nn.ReLU(),
        )
        self.score = nn.Linear(32, 1)

    def forward(self, x):
        return self.score(self.body(x)).squeeze(-1)


def setup():
    torch.manual_seed(0)
    X, y = load_transactions()
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=1)
    scaler = StandardScaler().fit(X_tr)
    X_tr = scaler.transform(X_tr).astype(np.float32)
    X_va = scaler.transform(X_va).astype(np.float32)
    return nndoctor.Setup(
        model=FraudMLP(X.shape[1]),
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=128,
    )
