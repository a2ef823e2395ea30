import numpy as np
import torch
from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def setup():
    X, Y = make_multilabel_classification(n_samples=3000, n_features=40, n_classes=8, n_labels=3,
                                          length=60, allow_unlabeled=False, random_state=61)
    X = np.log1p(X)
    X_train, X_val, Y_train, Y_val = train_test_split(X, Y, test_size=0.2, random_state=61)
    m, s = X_train.mean(0), X_train.std(0) + 1e-6
    X_train, X_val = ((X_train - m) / s).astype(np.float32), ((X_val - m) / s).astype(np.float32)
    torch.manual_seed(8)
    model = nn.Sequential(nn.Linear(40, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 8))
    return nndoctor.Setup(
        model=model,
        train=(X_train, Y_train.astype(np.float32)),
        val=(X_val, Y_val.astype(np.float32)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.RMSprop(params, lr=1e-3),
        batch_size=64,
    )
