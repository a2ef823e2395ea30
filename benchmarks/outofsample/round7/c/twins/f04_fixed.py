"""Checkup spec: small CNN on the 8x8 digit scans with a low-dimensional embedding head.

The penultimate layer is a 3-d embedding (so the learned feature space can be plotted
directly, as in center-loss papers); the classifier is linear on top of it.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nndoctor

EMBED_DIM = 64


class DigitEmbedCNN(nn.Module):
    def __init__(self, embed_dim=EMBED_DIM, n_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.MaxPool2d(2),                                   # 4x4
            nn.Conv2d(64, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.embed = nn.Linear(64, embed_dim)
        self.classifier = nn.Linear(embed_dim, n_classes)

    def forward(self, x):
        return self.classifier(self.embed(self.features(x)))


def setup():
    torch.manual_seed(0)
    d = load_digits()
    X = (d.images.astype(np.float32) / 8.0 - 1.0)[:, None]       # [0,16] -> [-1,1], NCHW
    X_tr, X_va, y_tr, y_va = train_test_split(X, d.target, test_size=0.25, random_state=1,
                                              stratify=d.target)
    return nndoctor.Setup(
        model=DigitEmbedCNN(),
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=2e-3),
        batch_size=32,
        name="digits-cnn-3d-embedding",
    )
