"""Marquetry workshop: identify the veneer species of a scanned 16x16 offcut tile.

Checkup spec. Small CNN embedding with a cosine (normalised-prototype) classifier and a
learned temperature, CLIP-style, so new species can later be added as prototypes.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import nndoctor

SPECIES = ["oak", "walnut", "birdseye_maple", "ebony", "satinwood", "burr_elm"]


def tile(kind, rng, n=16):
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
    ang = rng.uniform(-0.3, 0.3)
    u = xx * math.cos(ang) + yy * math.sin(ang)
    v = -xx * math.sin(ang) + yy * math.cos(ang)
    ph = rng.uniform(0, 2 * math.pi)
    if kind == 0:      # straight grain with medullary ray flecks
        img = 0.6 * np.sin(1.3 * u + ph) + (rng.random((n, n)) < 0.06) * 1.2
    elif kind == 1:    # wavy grain
        img = np.sin(0.9 * u + 1.4 * np.sin(0.5 * v + ph))
    elif kind == 2:    # birdseye dots on fine grain
        img = 0.3 * np.sin(2.0 * u + ph)
        for _ in range(rng.integers(3, 6)):
            cy, cx = rng.uniform(0, n, 2)
            img -= 1.5 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 2.0)
    elif kind == 3:    # very dark, very fine grain
        img = -1.0 + 0.25 * np.sin(2.8 * u + ph)
    elif kind == 4:    # ribbon stripe: broad alternating bands across the grain
        img = 0.8 * np.sign(np.sin(0.45 * v + ph)) + 0.3 * np.sin(1.6 * u)
    else:              # burr: swirls
        cy, cx = rng.uniform(4, 12, 2)
        r = np.sqrt((yy - cy) ** 2 + (xx - cx) ** 2)
        img = np.sin(1.5 * r + 2.0 * np.arctan2(yy - cy, xx - cx) + ph)
    img = img + rng.normal(0, 1.1, (n, n))
    return img.astype(np.float32)


def scans(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(SPECIES), n)
    x = np.stack([tile(k, rng) for k in y])[:, None]
    return torch.from_numpy(x), torch.from_numpy(y)


class VeneerNet(nn.Module):
    def __init__(self, n_classes, dim=128):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 4 * 4, dim),
        )
        self.prototypes = nn.Parameter(torch.randn(n_classes, dim) / math.sqrt(dim))
        self.logit_scale = nn.Parameter(torch.tensor(10.0))

    def forward(self, x):
        z = F.normalize(self.features(x), dim=-1)
        w = F.normalize(self.prototypes, dim=-1)
        return self.logit_scale.exp() * z @ w.t()


def setup():
    torch.manual_seed(4)
    x_tr, y_tr = scans(1200, 10)
    x_va, y_va = scans(400, 11)
    return nndoctor.Setup(
        model=VeneerNet(len(SPECIES)),
        train=(x_tr, y_tr),
        val=(x_va, y_va),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-4),
        batch_size=64,
    )
