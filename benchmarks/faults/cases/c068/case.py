import math

import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


class Scorer(nn.Module):
    def __init__(self, n_features, prior):
        super().__init__()
        self.hidden = nn.Sequential(nn.Linear(n_features, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.out = nn.Linear(64, 1)
        nn.init.constant_(self.out.bias, math.log((1 - prior) / prior))

    def forward(self, x):
        return self.out(self.hidden(x)).squeeze(-1)


def setup():
    X, y = make_classification(n_samples=2000, n_features=16, n_informative=8, weights=[0.95, 0.05], class_sep=1.2, random_state=2)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=Scorer(16, prior=float(y_train.mean())),
        train=(X_train, y_train.astype(np.float32)),
        val=(X_val, y_val.astype(np.float32)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
