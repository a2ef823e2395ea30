"""Checkup spec: polymer identification from Raman spectra (8 polymer types).

Two acquisition campaigns. Campaign A is the reference library; campaign B was measured
on a second instrument a month later. QC drops spectra with detector saturation.
Validation is a stratified hold-out of campaign A.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_BINS, N_CLASSES = 220, 8
SHIFT = np.linspace(200, 1800, N_BINS)


def _peaks(rng):
    return [(rng.uniform(300, 1700, 4), rng.uniform(0.4, 1.0, 4)) for _ in range(N_CLASSES)]


def _measure(y, peaks, rng, gain=1.0):
    X = np.empty((len(y), N_BINS), np.float32)
    for i, c in enumerate(y):
        centers, amps = peaks[c]
        s = sum(a * np.exp(-0.5 * ((SHIFT - m - rng.normal(0, 12)) / rng.uniform(10, 18)) ** 2)
                for m, a in zip(centers, amps))
        base = rng.uniform(0, 0.6) + rng.uniform(-2e-4, 4e-4) * (SHIFT - 200)
        X[i] = gain * (s + base) + rng.normal(0, 0.5, N_BINS)
    return X


def load_campaigns(seed=17):
    rng = np.random.default_rng(seed)
    peaks = _peaks(rng)
    yA = rng.integers(0, N_CLASSES, 1500)
    XA = _measure(yA, peaks, rng)
    labB = rng.integers(0, N_CLASSES, 1001)          # label sheet of campaign B, one row per vial
    XB = _measure(labB, peaks, rng, gain=1.05)
    dropped = 412                                     # saturated spectrum removed by QC
    XB = np.delete(XB, dropped, axis=0)
    return XA, yA, XB, labB, dropped


def setup():
    torch.manual_seed(0)
    XA, yA, XB, labB, dropped = load_campaigns()
    yB = np.delete(labB, dropped)

    rng = np.random.default_rng(1)
    val_idx = np.concatenate([rng.permutation(np.flatnonzero(yA == c))[:40] for c in range(N_CLASSES)])
    tr_mask = np.ones(len(yA), bool)
    tr_mask[val_idx] = False

    X_train = np.concatenate([XA[tr_mask], XB])
    y_train = np.concatenate([yA[tr_mask], yB])
    X_val, y_val = XA[val_idx], yA[val_idx]

    # per-spectrum standard normal variate (SNV), the usual Raman preprocessing
    snv = lambda X: (X - X.mean(1, keepdims=True)) / X.std(1, keepdims=True)
    X_train, X_val = snv(X_train), snv(X_val)

    model = nn.Sequential(
        nn.Linear(N_BINS, 256), nn.ReLU(),
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, N_CLASSES),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X_train), torch.tensor(y_train)),
        val=(torch.tensor(X_val), torch.tensor(y_val)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
