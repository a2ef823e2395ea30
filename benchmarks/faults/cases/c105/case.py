import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def setup():
    X, y = make_classification(n_samples=3000, n_features=12, n_informative=6, weights=[0.97, 0.03], class_sep=0.6, random_state=0)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std
    positives = y_train.mean()
    pos_weight = torch.tensor([(1 - positives) / positives], dtype=torch.float32)

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1), nn.Flatten(0))
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train.astype(np.float32)),
        val=(X_val, y_val.astype(np.float32)),
        loss=nn.BCEWithLogitsLoss(pos_weight=pos_weight),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.01),
        batch_size=32,
    )
