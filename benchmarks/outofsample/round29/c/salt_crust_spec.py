"""Crystallised salt crust in evaporation-pond tiles (checkup spec).

Drone tiles over a solar salt works (two bands: visible brightness and near-infrared) are
segmented into harvestable crust vs brine/mud, pixel by pixel, with a small fully convolutional
net. The surveyors' masks come as 8-bit PNGs; tiles and masks are simulated from seeded crust
blobs.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SIZE = 24


def survey_tiles(n, rng):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    tiles = np.zeros((n, 2, SIZE, SIZE), dtype=np.float32)
    masks = np.zeros((n, 1, SIZE, SIZE), dtype=np.uint8)
    for i in range(n):
        field = np.zeros((SIZE, SIZE))
        for _ in range(rng.integers(1, 5)):
            cy, cx = rng.uniform(0, SIZE, 2)
            ry, rx = rng.uniform(2.5, 7.0, 2)
            field += np.exp(-(((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2))
        crust = field > 0.5
        sun = rng.uniform(0.7, 1.3)
        vis = sun * (0.35 + 0.45 * crust) + rng.normal(0, 0.35, (SIZE, SIZE))
        nir = sun * (0.55 - 0.15 * crust) + 0.2 * field + rng.normal(0, 0.35, (SIZE, SIZE))
        tiles[i, 0], tiles[i, 1] = vis, nir
        masks[i, 0] = np.where(crust, 255, 0)          # as read from the PNG export
    return tiles, masks


def setup():
    torch.manual_seed(4)
    rng = np.random.default_rng(4)
    tiles, masks = survey_tiles(700, rng)

    tr, va = slice(0, 560), slice(560, 700)
    mean = tiles[tr].mean(axis=(0, 2, 3), keepdims=True)
    std = tiles[tr].std(axis=(0, 2, 3), keepdims=True)
    x = torch.tensor((tiles - mean) / std)
    y = torch.tensor(masks, dtype=torch.float32)

    model = nn.Sequential(
        nn.Conv2d(2, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=2, dilation=2), nn.ReLU(),
        nn.Conv2d(16, 1, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(x[tr], y[tr]),
        val=(x[va], y[va]),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=32,
    )
