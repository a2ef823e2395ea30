import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, WeightedRandomSampler

import nndoctor


def skewed_digits(seed=0):
    digits = load_digits()
    rng = np.random.default_rng(seed)
    keep = (digits.target == 1) | (rng.random(len(digits.target)) < 0.05)
    return digits.images[keep, None] / 16.0, digits.target[keep]


def setup():
    images, labels = skewed_digits()
    X_train, X_val, y_train, y_val = train_test_split(images, labels, test_size=0.25, random_state=0, stratify=labels)
    counts = np.bincount(y_train, minlength=10)
    weights = 1.0 / counts[y_train]
    sampler = WeightedRandomSampler(torch.as_tensor(weights, dtype=torch.double), num_samples=len(y_train), replacement=True)
    train = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train))

    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 16, 64), nn.ReLU(), nn.Linear(64, 10),
    )
    return nndoctor.Setup(
        model=model,
        train=DataLoader(train, batch_size=32, sampler=sampler),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )
