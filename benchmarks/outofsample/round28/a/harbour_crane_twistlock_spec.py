"""Harbour ship-to-shore cranes: from the spreader's sensor summary of one container move
(twistlock pin travel, hydraulic pressure, hoist load cell, landing pins, timings) predict the
outcome: clean lock / late lock confirmation / misaligned lock. Faults are rare, so the
cross-entropy is weighted by inverse class frequency (measured on the training split).
Checkup spec."""
import numpy as np
import torch
import torch.nn as nn
import nndoctor
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def crane_moves(n, rng):
    pin_travel = rng.normal(0, 1, (n, 4))          # four corner twistlocks
    pressure = rng.normal(0, 1, n)
    load = rng.normal(0, 1, n)
    landing = rng.normal(0, 1, (n, 4))
    t_land = rng.normal(0, 1, n)
    t_lock = rng.normal(0, 1, n)
    wind = rng.gamma(2.0, 1.0, n)
    s_late = -6.0 + 2.6 * t_lock - 1.8 * pressure + 0.4 * wind
    s_mis = -10.5 + 2.6 * np.abs(landing).max(1) + 1.2 * np.std(pin_travel, 1) * wind - 0.8 * pin_travel.min(1)
    logits = np.stack([np.zeros(n), s_late, s_mis], 1)
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    y = (rng.random(n)[:, None] > np.cumsum(p, 1)).sum(1)
    X = np.column_stack([pin_travel, pressure, load, landing, t_land, t_lock, wind]).astype(np.float32)
    return X, y


def setup():
    torch.manual_seed(8)
    rng = np.random.default_rng(8)
    X, y = crane_moves(4000, rng)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, stratify=y, random_state=8)
    sc = StandardScaler().fit(Xtr)
    counts = np.bincount(ytr, minlength=3)
    weights = torch.tensor(len(ytr) / (3 * counts), dtype=torch.float32)
    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(sc.transform(Xtr), dtype=torch.float32), torch.tensor(ytr)),
        val=(torch.tensor(sc.transform(Xva), dtype=torch.float32), torch.tensor(yva)),
        loss=nn.CrossEntropyLoss(weight=weights),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3, weight_decay=1e-4),
        batch_size=64,
    )
