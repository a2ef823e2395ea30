"""Wool brokerage: predict the processing class a wool lot is sold into (5 classes:
top-making superfine / fine / medium, carding, and oddments) from its core-test and
staple measurements, so that lots can be pre-catalogued before the buyer's appraisal.

Core-test results arrive as one export file per test-house shift; the training set is
assembled from those exports, the validation set is the latest week."""
import numpy as np
import torch
from torch import nn

import nndoctor

MEASURES = ["mean_micron", "cv_diameter", "staple_length_mm", "staple_strength_nktex",
            "vm_pct", "schlumberger_yield", "yellowness", "curvature_deg_mm", "pob_mid_pct"]


def core_tests(n, rng):
    micron = rng.normal(19.5, 2.2, n)
    cvd = rng.normal(21, 3, n)
    length = rng.normal(88, 12, n)
    strength = rng.normal(36, 8, n)
    vm = rng.gamma(2.0, 0.7, n)
    yld = rng.normal(68, 5, n) - 1.5 * vm
    yellow = rng.normal(-1.5, 1.2, n)
    curv = 160 - 4.5 * micron + rng.normal(0, 10, n)
    pob = 20 + 1.1 * (length - 88) * 0.3 - 0.7 * (strength - 36) + rng.normal(0, 6, n)
    X = np.column_stack([micron, cvd, length, strength, vm, yld, yellow, curv, pob])
    top_ok = (length > 70) & (strength > 28) & (vm < 3.0) & (yellow < 0.5)
    cls = np.where(micron < 18.0, 0, np.where(micron < 20.5, 1, 2))
    odd = (vm > 4.0) | (yld < 58) | (length < 45)
    cls = np.where(~top_ok, 3, cls)
    cls = np.where(odd, 4, cls)
    flip = rng.random(n) < 0.05
    cls = np.where(flip, rng.integers(0, 5, n), cls)
    return X.astype(np.float32), cls.astype(np.int64)


def read_exports(X, y, n_files):
    """Concatenate the per-shift export files (here: contiguous slices of the log)."""
    files = np.array_split(np.arange(len(X)), n_files)
    parts_X, parts_y = [], []
    for rows in files:
        parts_X.append(X[rows])
        parts_y.append(y[rows])
    return np.concatenate(parts_X), np.concatenate(parts_y)


def setup():
    rng = np.random.default_rng(21)
    torch.manual_seed(21)
    X_log, y_log = core_tests(2400, rng)
    X_val, y_val = core_tests(600, rng)
    X_tr, y_tr = read_exports(X_log, y_log, n_files=6)

    mean, std = X_tr.mean(0), X_tr.std(0)
    X_tr = (X_tr - mean) / std
    X_val = (X_val - mean) / std

    model = nn.Sequential(
        nn.Linear(len(MEASURES), 128), nn.ReLU(),
        nn.Linear(128, 128), nn.ReLU(),
        nn.Linear(128, 5),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_val), torch.from_numpy(y_val)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
