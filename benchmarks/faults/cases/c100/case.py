import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def setup():
    X, y = make_classification(n_samples=300, n_features=100, n_informative=8, n_redundant=0, class_sep=1.0, flip_y=0.05, random_state=4)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.5, random_state=0, stratify=y)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(100, 2))
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=0.05),
        batch_size=16,
    )
