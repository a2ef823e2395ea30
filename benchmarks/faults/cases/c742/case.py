import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

import nndoctor


class Net(nn.Module):
    def __init__(self, n_in=20, hidden=128, n_out=4):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    X, y = make_classification(n_samples=2000, n_features=20, n_informative=10, n_redundant=4, n_classes=4, n_clusters_per_class=2, class_sep=1.5, random_state=114)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=114, stratify=y)
    rng = np.random.default_rng(7)
    y_train = np.where((y_train == 3) & (rng.random(len(y_train)) < 0.6), 1, y_train)
    scaler = StandardScaler().fit(X_train)
    X_train, X_val = scaler.transform(X_train).astype(np.float32), scaler.transform(X_val).astype(np.float32)

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=Net(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.0001),
        batch_size=32,
    )
