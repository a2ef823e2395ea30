import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def skewed_digits(seed=0):
    digits = load_digits()
    rng = np.random.default_rng(seed)
    keep = (digits.target == 1) | (rng.random(len(digits.target)) < 0.05)
    return digits.images[keep, None] / 16.0, digits.target[keep]


def setup():
    images, labels = skewed_digits()
    X_train, X_val, y_train, y_val = train_test_split(images, labels, test_size=0.25, random_state=0, stratify=labels)

    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 16, 64), nn.ReLU(), nn.Linear(64, 10),
    )
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )
