import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


class SmallCNN(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def setup():
    digits = load_digits()
    images = (digits.images[:, None, :, :] / 16.0).astype(np.float32)
    X_train, X_val, y_train, y_val = train_test_split(images, digits.target, test_size=0.25, random_state=5, stratify=digits.target)
    rng = np.random.default_rng(5)
    swapped = rng.random(len(y_train)) < 0.3
    y_train = np.where(swapped, (y_train + 1) % 10, y_train)

    torch.manual_seed(0)
    return nndoctor.Setup(
        model=SmallCNN(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
