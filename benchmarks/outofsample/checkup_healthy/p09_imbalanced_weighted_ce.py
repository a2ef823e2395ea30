import numpy as np
import torch
from sklearn.datasets import make_hastie_10_2
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def setup():
    X, y = make_hastie_10_2(n_samples=12000, random_state=71)
    y = (y > 0).astype(np.int64)
    rng = np.random.default_rng(71)
    pos = np.flatnonzero(y == 1)
    neg = np.flatnonzero(y == 0)
    keep = np.concatenate([neg, rng.choice(pos, len(neg) // 10, replace=False)])  # 10:1 negatives to positives
    X, y = X[keep].astype(np.float32), y[keep]
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=71, stratify=y)
    counts = np.bincount(y_train, minlength=2)
    weight = torch.tensor(counts.sum() / (2 * counts), dtype=torch.float32)
    torch.manual_seed(9)
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(weight=weight),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
