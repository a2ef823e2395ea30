import torch
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def log_likelihood(logits, target):
    return nn.functional.log_softmax(logits, dim=1).gather(1, target[:, None]).mean()


def setup():
    X, y = load_wine(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=log_likelihood,
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=16,
    )
