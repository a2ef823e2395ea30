"""Checkup spec: 16x16 synthetic glyphs (disc, square, triangle, cross, ring, bar) with a
small VGG-style CNN.  Random position, size, stroke intensity and Gaussian pixel noise.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SHAPES = ["disc", "square", "triangle", "cross", "ring", "bar"]
S = 16


def render(kind, rng):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    cy, cx = rng.uniform(5, 11, size=2); r = rng.uniform(3, 5)
    dy, dx = yy - cy, xx - cx
    if kind == "disc":
        m = dy ** 2 + dx ** 2 <= r ** 2
    elif kind == "square":
        m = (np.abs(dy) <= r * 0.8) & (np.abs(dx) <= r * 0.8)
    elif kind == "triangle":
        m = (dy <= r * 0.8) & (dy >= -r) & (np.abs(dx) <= (dy + r) * 0.6)
    elif kind == "cross":
        m = ((np.abs(dy) <= 1) & (np.abs(dx) <= r)) | ((np.abs(dx) <= 1) & (np.abs(dy) <= r))
    elif kind == "ring":
        d = np.sqrt(dy ** 2 + dx ** 2); m = (d <= r) & (d >= r - 1.5)
    else:
        ang = rng.uniform(0, np.pi); m = np.abs(dx * np.sin(ang) - dy * np.cos(ang)) <= 1.0
        m &= dy ** 2 + dx ** 2 <= (r + 1) ** 2
    return m.astype(np.float32) * rng.uniform(0.6, 1.0)


def make_glyphs(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(SHAPES), n)
    X = np.stack([render(SHAPES[k], rng) for k in y]) + rng.normal(0, 0.15, (n, S, S)).astype(np.float32)
    X = (X - 0.15) / 0.35
    return torch.from_numpy(X[:, None].astype(np.float32)), torch.from_numpy(y)


class GlyphCNN(nn.Module):
    def __init__(self, n_classes=len(SHAPES)):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 24, 3, padding=1), nn.ReLU(), nn.Conv2d(24, 24, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(24, 48, 3, padding=1), nn.ReLU(), nn.Conv2d(48, 48, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(48 * 4 * 4, 96), nn.ReLU(), nn.Dropout(0.25),
            nn.Linear(96, n_classes),
        )

    def forward(self, x):
        return self.body(x)


def setup():
    torch.manual_seed(0)
    X_tr, y_tr = make_glyphs(3000, seed=0)
    X_va, y_va = make_glyphs(600, seed=1)
    return nndoctor.Setup(
        model=GlyphCNN(),
        train=(X_tr, y_tr),
        val=(X_va, y_va),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9, weight_decay=5e-4),
        batch_size=32,
        name="glyph-cnn",
    )
