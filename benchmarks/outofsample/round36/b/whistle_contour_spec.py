"""Checkup spec: bottlenose dolphin signature-whistle contour types from hydrophone logs.

Each detection is summarised by 14 contour measurements (start/end/min/max frequency,
duration, inflection and step counts, loop count, harmonics, SNR, ...). Five contour types
are catalogued; the common upsweep dominates while the rarer multi-loop types are what the
survey is about, so the loss carries inverse-frequency class weights, plus mild label
smoothing because analysts disagree on borderline contours.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

TYPES = ["upsweep", "downsweep", "sine", "multi-loop", "concave"]
SHARES = np.array([0.62, 0.17, 0.11, 0.04, 0.06])


def detections(n, rng):
    y = rng.choice(5, n, p=SHARES)
    start = rng.normal(7.5, 2.2, n) + np.select([y == 0, y == 1, y == 2], [-1.0, 2.0, 0.5], 0.0)
    end = start + np.select([y == 0, y == 1, y == 2, y == 3], [4.0, -3.0, 0.8, 1.5], -0.5) + rng.normal(0, 2.6, n)
    fmin = np.minimum(start, end) - np.abs(rng.normal(0.4, 0.3, n)) - (y == 4) * 1.2
    fmax = np.maximum(start, end) + np.abs(rng.normal(0.4, 0.3, n)) + (y == 2) * 1.2
    dur = rng.gamma(3, 0.25, n) * np.where(y == 3, 1.5, 1.0)
    inflections = rng.poisson(np.select([y == 2, y == 3], [2.2, 2.6], 0.9))
    loops = rng.poisson(np.where(y == 3, 1.4, 0.25))
    steps = rng.poisson(0.8, n)
    harmonics = rng.poisson(1.5, n)
    snr = rng.normal(14, 5, n)
    slope_mean = (end - start) / dur
    curvature = np.where(y == 4, 1.2, 0.0) + rng.normal(0, 0.9, n)
    depth = rng.uniform(2, 18, n)
    group_size = rng.poisson(6, n)
    X = np.stack([start, end, fmin, fmax, dur, inflections, loops, steps, harmonics, snr,
                  np.clip(slope_mean, -40, 40), curvature, depth, group_size], 1).astype(np.float32)
    return X, y


def setup():
    torch.manual_seed(23)
    rng = np.random.default_rng(23)
    X, y = detections(2600, rng)
    Xtr, ytr, Xva, yva = X[:2000], y[:2000], X[2000:], y[2000:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    counts = np.bincount(ytr, minlength=5)
    weights = torch.tensor(len(ytr) / (5 * counts), dtype=torch.float32)

    model = nn.Sequential(
        nn.Linear(14, 96), nn.BatchNorm1d(96), nn.ReLU(), nn.Dropout(0.15),
        nn.Linear(96, 64), nn.BatchNorm1d(64), nn.ReLU(),
        nn.Linear(64, 5),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05),
        optimizer=lambda p: torch.optim.AdamW(p, lr=2e-3, weight_decay=1e-3),
        batch_size=64,
    )
