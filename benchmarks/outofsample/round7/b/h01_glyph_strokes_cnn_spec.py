"""Checkup spec: a small CNN that reads hand-drawn-looking glyphs.

The glyphs are rendered from stroke templates (T, L, X, V, Z, N, +, box) with a
random affine jitter, variable pen width and anti-aliasing, on a 24x24 canvas.
Intensities are ink coverage in [0, 1]: the border is almost never inked, the
middle often, which is how scanned pen strokes look.
"""
import math

import numpy as np
import torch
from torch import nn

import nndoctor

SIZE = 24

# stroke templates in the unit square, (x0, y0, x1, y1) per segment
TEMPLATES = [
    [(0.1, 0.1, 0.9, 0.1), (0.5, 0.1, 0.5, 0.9)],                          # T
    [(0.2, 0.1, 0.2, 0.9), (0.2, 0.9, 0.85, 0.9)],                         # L
    [(0.1, 0.1, 0.9, 0.9), (0.9, 0.1, 0.1, 0.9)],                          # X
    [(0.1, 0.1, 0.5, 0.9), (0.5, 0.9, 0.9, 0.1)],                          # V
    [(0.1, 0.1, 0.9, 0.1), (0.9, 0.1, 0.1, 0.9), (0.1, 0.9, 0.9, 0.9)],    # Z
    [(0.15, 0.9, 0.15, 0.1), (0.15, 0.1, 0.85, 0.9), (0.85, 0.9, 0.85, 0.1)],  # N
    [(0.5, 0.1, 0.5, 0.9), (0.1, 0.5, 0.9, 0.5)],                          # +
    [(0.15, 0.15, 0.85, 0.15), (0.85, 0.15, 0.85, 0.85),
     (0.85, 0.85, 0.15, 0.85), (0.15, 0.85, 0.15, 0.15)],                  # box
]


def _segment_distance(px, py, x0, y0, x1, y1):
    dx, dy = x1 - x0, y1 - y0
    t = ((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy + 1e-9)
    t = np.clip(t, 0.0, 1.0)
    return np.hypot(px - (x0 + t * dx), py - (y0 + t * dy))


def render_glyphs(n, rng):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) + 0.5
    images = np.zeros((n, SIZE, SIZE), dtype=np.float32)
    labels = rng.integers(0, len(TEMPLATES), size=n)
    for i, c in enumerate(labels):
        scale = rng.uniform(0.45, 0.7) * SIZE
        angle = rng.uniform(-0.35, 0.35)
        shear = rng.uniform(-0.2, 0.2)
        cx, cy = rng.uniform(0.4, 0.6, size=2) * SIZE
        ca, sa = math.cos(angle), math.sin(angle)
        width = rng.uniform(0.6, 1.3)
        ink = np.full((SIZE, SIZE), np.inf, dtype=np.float32)
        for (x0, y0, x1, y1) in TEMPLATES[c]:
            pts = []
            for (u, v) in ((x0, y0), (x1, y1)):
                u, v = (u - 0.5) * scale, (v - 0.5) * scale
                u = u + shear * v
                pts.append((cx + ca * u - sa * v, cy + sa * u + ca * v))
            (ax, ay), (bx, by) = pts
            ink = np.minimum(ink, _segment_distance(xx, yy, ax, ay, bx, by))
        img = np.clip(width + 0.5 - ink, 0.0, 1.0)          # anti-aliased pen
        img *= rng.uniform(0.75, 1.0)                        # pen pressure
        images[i] = img
    return images[:, None], labels


class GlyphNet(nn.Module):
    def __init__(self, n_classes=len(TEMPLATES)):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.MaxPool2d(2),                                  # 12x12
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),                                  # 6x6
            nn.Conv2d(32, 48, 3, padding=1), nn.BatchNorm2d(48), nn.ReLU(),
            nn.AdaptiveAvgPool2d(2),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(48 * 4, n_classes))

    def forward(self, x):
        return self.head(self.features(x))


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(7)
    x_train, y_train = render_glyphs(2000, rng)
    x_val, y_val = render_glyphs(500, rng)
    return nndoctor.Setup(
        model=GlyphNet(),
        train=(torch.from_numpy(x_train), torch.from_numpy(y_train).long()),
        val=(torch.from_numpy(x_val), torch.from_numpy(y_val).long()),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
