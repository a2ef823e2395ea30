"""Checkup spec: classifying the figure error of a telescope mirror blank from its interferogram.

During grinding and polishing the optician photographs the fringe pattern of the mirror under
test (8-bit camera, 24x24 crop of the aperture) and classifies what still needs work:
0 finished (within tolerance), 1 under-corrected (spherical), 2 turned-down edge, 3 astigmatism,
4 zonal ring. A small CNN reads the fringe images.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SIZE = 24
CLASSES = ["finished", "spherical", "turned-edge", "astigmatism", "zone"]


def interferogram(rng, kind):
    yy, xx = np.mgrid[-1:1:SIZE * 1j, -1:1:SIZE * 1j]
    r2 = xx ** 2 + yy ** 2
    theta = np.arctan2(yy, xx)
    tilt = rng.uniform(2.0, 4.0) * (np.cos(a := rng.uniform(0, np.pi)) * xx + np.sin(a) * yy)
    w = rng.uniform(-0.3, 0.3) * r2 + rng.normal(0, 0.08) * r2 ** 2           # focus, tolerance
    amp = rng.uniform(0.6, 1.4)
    if kind == 1:
        w = w + amp * (r2 ** 2 - r2)
    elif kind == 2:
        w = w - amp * 2.5 * np.clip(np.sqrt(r2) - 0.75, 0, None) ** 1.5 * 4
    elif kind == 3:
        w = w + amp * 0.8 * r2 * np.cos(2 * (theta - rng.uniform(0, np.pi)))
    elif kind == 4:
        rz = rng.uniform(0.35, 0.65)
        w = w + amp * 0.6 * np.exp(-((np.sqrt(r2) - rz) / 0.08) ** 2)
    img = 127.5 * (1 + np.cos(2 * np.pi * (tilt + w)))
    img = img * rng.uniform(0.6, 1.0) + rng.normal(0, 12, img.shape)           # exposure, sensor noise
    img[r2 > 1] = rng.uniform(0, 20)                                            # outside the aperture
    return np.clip(img, 0, 255).astype(np.uint8)


def setup():
    rng = np.random.default_rng(31)
    torch.manual_seed(31)
    n = 2000
    kinds = rng.integers(0, len(CLASSES), n)
    imgs = np.stack([interferogram(rng, k) for k in kinds])                     # uint8 frames
    X = torch.from_numpy(imgs).float().unsqueeze(1)
    y = torch.from_numpy(kinds).long()

    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 6 * 6, 64), nn.ReLU(),
        nn.Linear(64, len(CLASSES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[:1600], y[:1600]),
        val=(X[1600:], y[1600:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        batch_size=32,
    )
