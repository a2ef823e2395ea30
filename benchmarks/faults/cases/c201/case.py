import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
import torch
from torch import nn

import nndoctor


class Net(nn.Module):
    def __init__(self, n_out=10):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Dropout(0.2),
        )
        self.head = nn.Linear(32, n_out)

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    digits = load_digits()
    X = digits.images.astype(np.float32)[:, None] / 16.0
    X_train, X_val, y_train, y_val = train_test_split(X, digits.target, test_size=0.2, random_state=102, stratify=digits.target)
    mean, std = X_train.mean(), X_train.std()
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std

    torch.manual_seed(0)
    model = Net()
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        optimizer=lambda params: torch.optim.AdamW(params, lr=0.002, weight_decay=0.05),
        batch_size=32,
    )
