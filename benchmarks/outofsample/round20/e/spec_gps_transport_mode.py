"""Transport mode of a GPS trajectory segment (walk, bike, bus, car, train) from
segment statistics. Speeds, accelerations and stop counts are right-skewed, so they are
log-transformed before standardisation; the modes are imbalanced (train trips are rare),
so the cross-entropy is class-weighted (inverse square-root frequency) with light
label smoothing, since hand-labelled segment boundaries make some labels fuzzy.
"""
import numpy as np
import torch
import nndoctor
from torch import nn

MODES = ["walk", "bike", "bus", "car", "train"]


def make_segments(n, rng):
    mode = rng.choice(5, n, p=[0.36, 0.13, 0.16, 0.28, 0.07])
    #                 walk  bike  bus   car   train
    v_mean = np.array([1.3, 4.2, 6.5, 9.0, 15.0])[mode] * rng.lognormal(0, 0.45, n)
    v_p85 = v_mean * np.array([1.25, 1.3, 1.9, 1.6, 1.35])[mode] * rng.lognormal(0, 0.12, n)
    acc_max = np.array([0.6, 1.0, 1.5, 2.0, 0.8])[mode] * rng.lognormal(0, 0.5, n)
    heading_rate = np.array([25.0, 14.0, 7.0, 6.0, 2.0])[mode] * rng.lognormal(0, 0.6, n)
    stops_per_km = np.array([2.5, 0.8, 2.4, 1.3, 0.2])[mode] * rng.lognormal(0, 0.6, n)
    length_km = np.array([0.9, 3.5, 6.0, 10.0, 25.0])[mode] * rng.lognormal(0, 0.8, n)
    gps_gap_share = np.clip(np.array([0.02, 0.02, 0.05, 0.03, 0.15])[mode] + rng.normal(0, 0.05, n), 0, 1)
    hour = (np.array([13.0, 12.0, 11.0, 13.0, 10.0])[mode] + rng.normal(0, 4.5, n)) % 24

    X = np.column_stack([
        np.log1p(v_mean), np.log1p(v_p85), np.log1p(acc_max), np.log1p(heading_rate),
        np.log1p(stops_per_km), np.log(length_km), gps_gap_share,
        np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
    ]).astype(np.float32)
    return X, mode.astype(np.int64)


def setup():
    torch.manual_seed(17)
    rng = np.random.default_rng(17)
    X, y = make_segments(5000, rng)
    perm = rng.permutation(len(y))
    tr, va = perm[:4000], perm[4000:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = (X - mu) / sd

    counts = np.bincount(y[tr], minlength=5).astype(np.float32)
    w = 1.0 / np.sqrt(counts)
    w = w / w.mean()

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, len(MODES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.CrossEntropyLoss(weight=torch.from_numpy(w), label_smoothing=0.05),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
