"""Checkup spec: grapevine leaf disease from 16x16 RGB crops taken by a camera on the
vineyard's straddle tractor: healthy, downy mildew (yellow oil spots), powdery mildew (grey-white
film) and black rot (dark round lesions with a lighter margin). Small CNN with BatchNorm,
per-channel standardisation from the training crops, label smoothing 0.1 (the agronomists'
labels on early lesions are not certain), Adam.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

S = 16


def _leaf(label, rng):
    yy, xx = np.mgrid[0:S, 0:S]
    g = rng.uniform(0.35, 0.6)
    img = np.stack([0.35 * g, g, 0.25 * g])[:, None, None] * np.ones((3, S, S))
    vein_ang = rng.uniform(0, np.pi)
    vein = np.abs((xx - S / 2) * np.sin(vein_ang) - (yy - S / 2) * np.cos(vein_ang)) < 0.7
    img[:, vein] *= 1.25
    sev = rng.uniform(0.35, 0.9)                                 # early lesions are faint
    for _ in range(rng.integers(1, 4) if label else 0):
        cx, cy = rng.uniform(2, S - 2, 2)
        r = rng.uniform(0.8, 2.2)
        d2 = (xx - cx) ** 2 + (yy - cy) ** 2
        if label == 1:                                           # downy mildew: diffuse yellow spot
            w = np.exp(-d2 / (2 * r ** 2))[None] * sev
            img = img * (1 - w) + w * np.array([0.75, 0.70, 0.25])[:, None, None]
        elif label == 2:                                         # powdery mildew: grey-white film
            w = np.exp(-d2 / (2 * (2 * r) ** 2))[None] * 0.7 * sev
            img = img * (1 - w) + w * np.array([0.75, 0.75, 0.72])[:, None, None]
        else:                                                    # black rot: dark core, tan margin
            core, ring = d2 < r ** 2, (d2 >= r ** 2) & (d2 < (r + 1) ** 2)
            img[:, core] = (1 - sev) * img[:, core] + sev * np.array([0.12, 0.08, 0.06])[:, None]
            img[:, ring] = (1 - sev / 2) * img[:, ring] + sev / 2 * np.array([0.55, 0.45, 0.3])[:, None]
    img *= rng.uniform(0.75, 1.25)                               # sun / shade
    img += rng.normal(0, 0.06, img.shape)
    return np.clip(img, 0, 1)


def setup():
    rng = np.random.default_rng(41)
    torch.manual_seed(41)
    y = rng.integers(0, 4, 2000)
    X = np.stack([_leaf(c, rng) for c in y]).astype(np.float32)
    tr, va = slice(0, 1600), slice(1600, None)
    mu = X[tr].mean(axis=(0, 2, 3), keepdims=True)
    sd = X[tr].std(axis=(0, 2, 3), keepdims=True)
    X = (X - mu) / sd

    def conv(cin, cout):
        return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())

    model = nn.Sequential(conv(3, 16), nn.MaxPool2d(2), conv(16, 32), nn.MaxPool2d(2), conv(32, 32),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 4))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.CrossEntropyLoss(label_smoothing=0.1),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
