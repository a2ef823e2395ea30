"""Checkup spec: grapevine leaf disease from small RGB field-scout tiles (20x20).

Classes: healthy, downy mildew (yellow oil spots), powdery mildew (whitish dust), black rot
(brown lesions with dark rims), esca (interveinal tiger stripes), leafroll (reddened margins).
Tiles are simulated: a leaf of random size/orientation/lighting on a soil/sky background.
Labels are stored one-hot, as exported by the scouting app.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

CLASSES = ["healthy", "downy", "powdery", "black_rot", "esca", "leafroll"]
S = 20


def _tiles(n, rng):
    yy, xx = np.mgrid[0:S, 0:S] / (S - 1) * 2 - 1
    X = np.empty((n, 3, S, S), np.float32)
    y = rng.integers(0, len(CLASSES), n)
    for i in range(n):
        ang = rng.uniform(0, np.pi)
        u = np.cos(ang) * xx + np.sin(ang) * yy
        v = -np.sin(ang) * xx + np.cos(ang) * yy
        a, b = rng.uniform(0.6, 0.95), rng.uniform(0.45, 0.8)
        leaf = (u / a) ** 2 + (v / b) ** 2 < 1
        edge = leaf & ((u / a) ** 2 + (v / b) ** 2 > 0.6)
        bg = np.array([0.45, 0.38, 0.3]) + rng.normal(0, 0.05, 3)
        green = np.array([0.25, 0.55, 0.2]) + rng.normal(0, 0.04, 3)
        img = np.where(leaf, 1.0, 0.0)[None] * green[:, None, None] + np.where(leaf, 0.0, 1.0)[None] * bg[:, None, None]
        c = y[i]
        if c == 1:      # downy: a few yellowish oil spots
            for _ in range(rng.integers(2, 5)):
                cy, cx, r = rng.uniform(-0.5, 0.5, 2).tolist() + [rng.uniform(0.12, 0.25)]
                spot = leaf & ((yy - cy) ** 2 + (xx - cx) ** 2 < r ** 2)
                img[:, spot] += (np.array([0.25, 0.15, -0.05]) * rng.uniform(0.5, 1))[:, None]
        elif c == 2:    # powdery: diffuse whitish patches
            cy, cx = rng.uniform(-0.4, 0.4, 2)
            dust = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 0.25) * leaf
            img += 0.28 * rng.uniform(0.5, 1) * dust[None]
        elif c == 3:    # black rot: small brown lesions, dark rim
            for _ in range(rng.integers(1, 4)):
                cy, cx, r = rng.uniform(-0.5, 0.5, 2).tolist() + [rng.uniform(0.1, 0.2)]
                d = np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2)
                img[:, leaf & (d < r)] = (np.array([0.4, 0.28, 0.15]) + rng.normal(0, 0.03, 3))[:, None]
                img[:, leaf & (d >= r) & (d < r + 0.08)] *= 0.55
        elif c == 4:    # esca: stripes between the veins
            stripes = (np.sin(u * rng.uniform(7, 10) + rng.uniform(0, 6)) > 0.55) & leaf
            img[:, stripes] += (np.array([0.22, 0.05, -0.05]) * rng.uniform(0.5, 1))[:, None]
        elif c == 5:    # leafroll: reddened margins
            img[:, edge] += (np.array([0.25, -0.2, 0.05]) * rng.uniform(0.5, 1))[:, None]
        img *= rng.uniform(0.75, 1.25)                     # sun / shade
        img += rng.normal(0, 0.06, img.shape)
        X[i] = img
    return X, y


class LeafNet(nn.Module):
    def __init__(self, n_classes=len(CLASSES)):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 5 * 5, 64), nn.ReLU(),
                                        nn.Linear(64, n_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def setup():
    rng = np.random.default_rng(21)
    torch.manual_seed(21)
    X, y = _tiles(2000, rng)
    mean = X[:1500].mean(axis=(0, 2, 3), keepdims=True)
    std = X[:1500].std(axis=(0, 2, 3), keepdims=True)
    X = torch.from_numpy((X - mean) / std)
    Y = torch.nn.functional.one_hot(torch.from_numpy(y), len(CLASSES)).float()
    return nndoctor.Setup(
        model=LeafNet(),
        train=(X[:1500], Y[:1500]),
        val=(X[1500:], Y[1500:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        batch_size=32,
    )
