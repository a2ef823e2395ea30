"""Thatching reed merchant: grade harvested water-reed bundles (prime / standard /
short / reject) from bench measurements of a sampled handful of stems.
The grading house exports its ledger one grade sheet after another. Checkup spec."""
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor

GRADES = ["prime", "standard", "short", "reject"]


def ledger(seed=21, per_grade=(700, 800, 500, 400)):
    rng = np.random.default_rng(seed)
    rows, labels = [], []
    for g, m in enumerate(per_grade):
        length_cm = rng.normal([185, 165, 130, 150][g], 18, m)
        butt_mm = rng.normal([6.0, 6.8, 5.4, 7.6][g], 0.8, m)
        taper = rng.normal([0.55, 0.48, 0.50, 0.40][g], 0.07, m)
        moisture = rng.normal([14, 16, 15, 22][g], 3, m)
        silica = rng.normal([3.1, 2.7, 2.8, 2.2][g], 0.45, m)
        flag_leaf = rng.binomial(1, [0.05, 0.12, 0.15, 0.45][g], m)
        straight = rng.normal([0.92, 0.86, 0.85, 0.74][g], 0.06, m)
        rows.append(np.column_stack([length_cm, butt_mm, taper, moisture, silica, straight, flag_leaf]))
        labels.append(np.full(m, g))
    return np.vstack(rows), np.concatenate(labels)


def setup():
    torch.manual_seed(21)
    X, y = ledger()
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    perm = np.random.default_rng(0).permutation(len(y_tr))
    X_tr, y_tr = X_tr[perm], y_tr[perm]
    cont = slice(0, 6)
    mu, sd = X_tr[:, cont].mean(0), X_tr[:, cont].std(0)
    X_tr[:, cont] = (X_tr[:, cont] - mu) / sd
    X_va[:, cont] = (X_va[:, cont] - mu) / sd
    t = lambda a, dt=torch.float32: torch.tensor(a, dtype=dt)
    model = nn.Sequential(nn.Linear(7, 48), nn.ReLU(), nn.Dropout(0.1), nn.Linear(48, 48), nn.ReLU(), nn.Linear(48, 4))
    return nndoctor.Setup(
        model=model,
        train=(t(X_tr), t(y_tr, torch.long)),
        val=(t(X_va), t(y_va, torch.long)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=1e-2),
        batch_size=64,
    )
