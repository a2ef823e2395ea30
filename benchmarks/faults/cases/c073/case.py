import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def attributes(labels):
    even = labels % 2 == 0
    large = labels >= 5
    prime = np.isin(labels, [2, 3, 5, 7])
    round_shape = np.isin(labels, [0, 6, 8, 9])
    return np.stack([even, large, prime, round_shape], axis=1).astype(np.float32)


class AttributeNet(nn.Module):
    def __init__(self, n_attributes=4):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU())
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(32 * 16, 64), nn.ReLU(), nn.Linear(64, n_attributes), nn.Sigmoid())

    def forward(self, x):
        return self.head(self.conv(x))


def setup():
    digits = load_digits()
    images = digits.images[:, None] / 16.0
    X_train, X_val, y_train, y_val = train_test_split(images, attributes(digits.target), test_size=0.2, random_state=0)

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=AttributeNet(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
