import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

import nndoctor


class Classifier(nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_features, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU())
        self.head = nn.Linear(32, 1)

    def forward(self, x):
        return self.head(self.body(x)).squeeze(-1)


def setup():
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.3, random_state=1, stratify=y)
    rng = np.random.default_rng(3)
    y_train = np.where((y_train == 0) & (rng.random(len(y_train)) < 0.45), 1, y_train)
    scaler = StandardScaler().fit(X_train)
    X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=Classifier(X.shape[1]),
        train=(X_train, y_train.astype("float32")),
        val=(X_val, y_val.astype("float32")),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        batch_size=32,
    )
