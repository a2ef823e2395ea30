import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


class EmbedClassifier(nn.Module):
    """Digits classifier with a 2-D embedding layer we can scatter-plot."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 2))
        self.classifier = nn.Linear(2, 10)

    def forward(self, x):
        return self.classifier(self.encoder(x))


def setup():
    X, y = load_digits(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=1201, stratify=y)
    m, s = X_train.mean(0), X_train.std(0) + 1.0
    X_train, X_val = ((X_train - m) / s).astype(np.float32), ((X_val - m) / s).astype(np.float32)
    torch.manual_seed(26)
    return nndoctor.Setup(
        model=EmbedClassifier(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
