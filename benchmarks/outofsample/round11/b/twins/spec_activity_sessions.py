"""Checkup spec: wrist-worn activity recognition from 2.56 s accelerometer/gyro windows.

Each activity was recorded as its own session and the feature extractor writes one block of
windows per session. 36 window features (per-axis mean, std, energy, dominant frequency,
jerk, ...), 5 activities.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

ACTIVITIES = ["walking", "stairs_up", "cycling", "sitting", "standing"]
SESSION_WINDOWS = [480, 400, 520, 560, 640]
N_FEATURES = 36


def load_sessions(seed=17):
    rng = np.random.default_rng(seed)
    # activity prototypes share structure: walking ~ stairs, sitting ~ standing
    base = rng.normal(0, 1, (3, N_FEATURES))
    protos = np.stack([
        base[0] + 0.55 * rng.normal(0, 1, N_FEATURES),
        base[0] + 0.55 * rng.normal(0, 1, N_FEATURES),
        base[2] + 0.70 * rng.normal(0, 1, N_FEATURES),
        base[1] + 0.45 * rng.normal(0, 1, N_FEATURES),
        base[1] + 0.45 * rng.normal(0, 1, N_FEATURES),
    ])
    mix = rng.normal(0, 1, (N_FEATURES, N_FEATURES)) / np.sqrt(N_FEATURES)
    blocks, labels = [], []
    for a, n in enumerate(SESSION_WINDOWS):
        z = protos[a] + rng.normal(0, 1.0, (n, N_FEATURES))
        x = np.tanh(z @ mix * 1.5) + 0.1 * z          # mildly nonlinear sensor features
        blocks.append(x)
        labels.append(np.full(n, a))
    return np.concatenate(blocks).astype(np.float32), np.concatenate(labels).astype(np.int64)


def setup():
    X, y = load_sessions()
    order = np.random.default_rng(0).permutation(len(X))
    X, y = X[order], y[order]
    n_train = int(0.8 * len(X))
    X_train, y_train = X[:n_train], y[:n_train]
    X_val, y_val = X[n_train:], y[n_train:]

    mu, sd = X_train.mean(0), X_train.std(0)
    X_train = (X_train - mu) / sd
    X_val = (X_val - mu) / sd

    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(N_FEATURES, 96), nn.GELU(), nn.Dropout(0.1),
        nn.Linear(96, 96), nn.GELU(),
        nn.Linear(96, len(ACTIVITIES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_train), torch.from_numpy(y_train)),
        val=(torch.from_numpy(X_val), torch.from_numpy(y_val)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=64,
        name="activity-sessions",
    )
