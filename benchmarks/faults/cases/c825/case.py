import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


class Classifier(nn.Module):
    def __init__(self, n_features, classes=2):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_features, 64), nn.GELU(), nn.LayerNorm(64),
            nn.Linear(64, 64), nn.GELU(), nn.LayerNorm(64),
        )
        self.head = nn.Linear(64, classes)
        with torch.no_grad():
            self.head.bias.copy_(torch.tensor([-6.0, 6.0]))

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    X, y = make_classification(n_samples=2400, n_features=20, n_informative=10, weights=[0.9, 0.1], class_sep=1.0, random_state=5)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=Classifier(20),
        train=(X_train.astype(np.float32), y_train),
        val=(X_val.astype(np.float32), y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-4, weight_decay=0.01),
        batch_size=64,
    )
