"""Sail-loft cloth acceptance: grade incoming sailcloth rolls from tensile-rig tests (checkup spec).

Test records come from two lofts' rigs, exported one loft after the other.
Four outcomes: accept for racing laminate, accept for cruising Dacron, reject
(bias stretch), reject (UV / fill degradation).
"""
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor

GRADES = ["racing", "cruising", "reject_bias", "reject_uv"]


def loft_tests(n, loft, rng):
    uv_hours = rng.gamma(1.5 if loft == 0 else 3.0, 250, n)
    weight = rng.uniform(180, 420, n)                   # g/m^2
    resin = rng.uniform(4, 18, n)                       # % resin content
    laminate = rng.random(n) < (0.45 if loft == 0 else 0.3)
    warp = 0.9 - 0.9 * laminate + 0.004 * (420 - weight) + rng.normal(0, 0.15, n)     # % stretch at 5 kgf
    fill = 0.6 - 0.3 * laminate + 0.0006 * uv_hours + rng.normal(0, 0.12, n)
    bias = 4.5 - 0.12 * resin - 1.5 * laminate + 0.003 * (400 - weight) + rng.normal(0, 0.4, n)
    strength = 900 + 1.6 * weight + 300 * laminate - 0.35 * uv_hours + rng.normal(0, 60, n)  # N/5cm
    thickness = 0.08 + 0.0011 * weight + 0.04 * laminate + rng.normal(0, 0.015, n)      # mm
    score_uv = 0.0016 * uv_hours + 1.5 * (fill - 0.6) - 0.002 * (strength - 1400)
    y = np.where(laminate, 0, 1)
    y = np.where(bias > 3.6, 2, y)
    y = np.where(score_uv > 1.3, 3, y)
    flip = rng.random(n) < 0.04
    y = np.where(flip, rng.integers(0, 4, n), y)
    if loft == 1:                                       # second rig: older extensometer, load cell read low
        warp, fill, strength = warp + 0.25, fill + 0.12, strength * 0.92
    X = np.stack([warp, fill, bias, strength, thickness, weight, resin, uv_hours], 1)
    return X, y


def setup():
    rng = np.random.default_rng(21)
    XA, yA = loft_tests(1300, 0, rng)
    XB, yB = loft_tests(900, 1, rng)
    X = np.concatenate([XA, XB]).astype(np.float32)
    y = np.concatenate([yA, yB]).astype(np.int64)

    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    perm = rng.permutation(len(y_tr))
    X_tr, y_tr = X_tr[perm], y_tr[perm]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, len(GRADES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3, weight_decay=1e-5),
        batch_size=32,
    )
