"""Clay roof tiles: grade each tile from its acoustic tap test at the end of the kiln line.

A solenoid taps the tile; we keep the log-energy in 24 third-octave bands (standardised on the
training split), the dominant resonance shift versus the tile model's reference, the ring-down
time, and the kiln car position one-hot (6 positions, left as 0/1). Grades are rare by design:
sound, hairline, crack, delamination. The loss is class-weighted (inverse square-root frequency)
so the rare grades count, and the model is deliberately small.
"""
import numpy as np
import torch
from torch import nn
from sklearn.model_selection import train_test_split

import nndoctor

GRADES = ["sound", "hairline", "crack", "delamination"]


def tap_tests(n=3500, seed=8):
    rng = np.random.default_rng(seed)
    grade = rng.choice(4, n, p=[0.78, 0.12, 0.07, 0.03])
    pos = rng.integers(0, 6, n)
    bands = rng.normal(0, 1, (n, 24)) * 0.6 + np.linspace(1.0, -1.0, 24)
    shift = rng.normal(0, 0.5, n)
    ring = rng.normal(1.0, 0.15, n)
    f = np.arange(24)
    for g, centre, amp in [(1, 16, 0.9), (2, 10, 1.6), (3, 5, 1.4)]:
        m = grade == g
        bands[m] += amp * np.exp(-0.5 * ((f - centre) / 2.5) ** 2)
    shift[grade == 1] -= 0.6
    shift[grade == 2] -= 1.5
    ring[grade == 2] -= 0.35
    ring[grade == 3] -= 0.55
    bands += 0.15 * (pos[:, None] - 2.5) / 2.5          # kiln-car position colours the spectrum a little
    onehot = np.eye(6)[pos]
    cont = np.column_stack([bands, shift, ring])
    return cont.astype(np.float32), onehot.astype(np.float32), grade.astype(np.int64)


def setup():
    torch.manual_seed(8)
    cont, onehot, y = tap_tests()
    idx_tr, idx_va = train_test_split(np.arange(len(y)), test_size=0.25, stratify=y, random_state=8)
    mu, sd = cont[idx_tr].mean(0), cont[idx_tr].std(0)
    X = np.hstack([(cont - mu) / sd, onehot]).astype(np.float32)

    counts = np.bincount(y[idx_tr], minlength=4)
    weights = torch.tensor((counts.sum() / counts) ** 0.5, dtype=torch.float32)
    weights = weights / weights.mean()

    model = nn.Sequential(
        nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(32, 4),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[idx_tr]), torch.from_numpy(y[idx_tr])),
        val=(torch.from_numpy(X[idx_va]), torch.from_numpy(y[idx_va])),
        loss=nn.CrossEntropyLoss(weight=weights),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-3),
        batch_size=64,
    )
