"""Checkup spec: digits 8x8 images, small CNN with BatchNorm, Adam, cross-entropy."""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nndoctor


def setup():
    torch.manual_seed(0)
    d = load_digits()
    X = ((d.images / 16.0 - 0.3) / 0.4).astype(np.float32)[:, None]
    X_tr, X_va, y_tr, y_va = train_test_split(X, d.target, test_size=0.25, stratify=d.target, random_state=0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 10),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X_tr), torch.tensor(y_tr)),
        val=(torch.tensor(X_va), torch.tensor(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
