import numpy as np
import torch
from torch import nn

import nndoctor


def bar_images(n, seed, size=16):
    """Noisy 16x16 images with one bar: horizontal, vertical, diagonal or anti-diagonal; label = orientation."""
    rng = np.random.default_rng(seed)
    X = rng.normal(0, 0.4, (n, 1, size, size))
    y = rng.integers(0, 4, n)
    for i in range(n):
        o = rng.integers(2, size - 2)
        L = rng.integers(6, size)
        a = rng.integers(0, size - L + 1)
        r = np.arange(a, a + L)
        if y[i] == 0:
            X[i, 0, o, r] += 1.5
        elif y[i] == 1:
            X[i, 0, r, o] += 1.5
        elif y[i] == 2:
            X[i, 0, r, r] += 1.5
        else:
            X[i, 0, r, size - 1 - r] += 1.5
    return X.astype(np.float32), y


def setup():
    X_train, y_train = bar_images(2000, seed=1101)
    X_val, y_val = bar_images(500, seed=1102)
    torch.manual_seed(25)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 4),
    )
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=1e-6, momentum=0.9),
        batch_size=32,
    )
