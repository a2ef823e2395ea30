"""Sort reclaimed mosaic tesserae by material from 16x16 RGB close-ups on the sorting belt.

Classes: 0 smalti glass, 1 gold-leaf smalti, 2 marble, 3 glazed ceramic, 4 terracotta.
Tiles are rendered from a small procedural model of each material (lighting, veins,
crackle, grain), with random rotation, exposure and belt-camera noise.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SIZE = 16


def _tile(cls, rng):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] / (SIZE - 1)
    theta = rng.uniform(0, np.pi)
    u = np.cos(theta) * xx + np.sin(theta) * yy
    if cls == 0:      # smalti: saturated colour, small bubbles, specular spot
        base = rng.dirichlet([1, 1, 1]) * 0.9 + 0.05
        img = np.ones((3, SIZE, SIZE)) * base[:, None, None]
        cx, cy = rng.uniform(0.2, 0.8, 2)
        img += 0.5 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 0.01)
        img -= 0.15 * (rng.random((SIZE, SIZE)) < 0.04)
    elif cls == 1:    # gold smalti: warm, bright, grainy leaf
        base = np.array([0.85, 0.68, 0.25]) * rng.uniform(0.8, 1.1)
        img = np.ones((3, SIZE, SIZE)) * base[:, None, None]
        img += 0.18 * rng.standard_normal((1, SIZE, SIZE))
    elif cls == 2:    # marble: pale, thin dark veins
        base = rng.uniform(0.7, 0.95)
        veins = np.abs(np.sin(u * rng.uniform(8, 16) + 2 * np.sin(6 * yy + rng.uniform(0, 6))))
        img = np.ones((3, SIZE, SIZE)) * base - 0.45 * (veins < 0.18)
        img += rng.uniform(-0.05, 0.05, (3, 1, 1))
    elif cls == 3:    # glazed ceramic: flat colour with a crackle grid
        base = rng.dirichlet([2, 2, 2]) * 0.8 + 0.1
        img = np.ones((3, SIZE, SIZE)) * base[:, None, None]
        period = rng.integers(4, 7)
        ph = rng.integers(0, period, 2)
        crack = ((np.arange(SIZE)[:, None] + ph[0]) % period == 0) | ((np.arange(SIZE)[None, :] + ph[1]) % period == 0)
        img -= 0.25 * crack
    else:             # terracotta: earthy orange, coarse low-frequency texture
        base = np.array([0.72, 0.38, 0.22]) * rng.uniform(0.75, 1.1)
        coarse = rng.standard_normal((4, 4))
        coarse = np.kron(coarse, np.ones((SIZE // 4, SIZE // 4)))
        img = np.ones((3, SIZE, SIZE)) * base[:, None, None] + 0.12 * coarse
    img = img * rng.uniform(0.6, 1.4) + 0.22 * rng.standard_normal((3, SIZE, SIZE))
    return np.clip(img, 0, 1)


def belt_images(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 5, n)
    X = np.stack([_tile(c, rng) for c in y]).astype(np.float32)
    return X, y.astype(np.int64)


class TesseraNet(nn.Module):
    def __init__(self, n_classes=5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


def setup():
    torch.manual_seed(0)
    X, y = belt_images(2000, seed=3)
    mean = X[:1600].mean(axis=(0, 2, 3), keepdims=True)
    std = X[:1600].std(axis=(0, 2, 3), keepdims=True)
    X = (X - mean) / std
    return nndoctor.Setup(
        model=TesseraNet(),
        train=(torch.from_numpy(X[:1600]), torch.from_numpy(y[:1600])),
        val=(torch.from_numpy(X[1600:]), torch.from_numpy(y[1600:])),
        loss=nn.NLLLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
