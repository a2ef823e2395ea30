"""Digits CNN with a low-dimensional feature head.

We want to look at the learned feature space (scatter of the penultimate
features, coloured by class), so the classifier sits on top of a small
projection of the conv features.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nndoctor

EMBED_DIM = 2


class DigitNet(nn.Module):
    def __init__(self, n_classes=10, embed_dim=EMBED_DIM):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.MaxPool2d(2),                                   # 8x8 -> 4x4
            nn.Conv2d(64, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.AdaptiveAvgPool2d(2),                           # -> 64x2x2
        )
        self.project = nn.Sequential(nn.Flatten(), nn.Linear(256, embed_dim), nn.ReLU())
        self.classifier = nn.Linear(embed_dim, n_classes)

    def embed(self, x):
        return self.project(self.features(x))

    def forward(self, x):
        return self.classifier(self.embed(x))


def setup():
    torch.manual_seed(0)
    digits = load_digits()
    X = (digits.images / 16.0 - 0.5) / 0.5                     # [0,16] -> [-1,1]
    X = X[:, None].astype(np.float32)
    y = digits.target
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=7)
    return nndoctor.Setup(
        model=DigitNet(),
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr).long()),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va).long()),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
