"""Checkup spec: wine cultivar from chemical analysis (sklearn wine), small-data setup.

178 samples, so: log-transform of the right-skewed assays, robust scaling (median / IQR)
fitted on the training split, a narrow MLP with dropout, weight decay, and small batches.
"""
import numpy as np
import torch
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor

SKEWED = [1, 3, 4, 9, 12]  # malic acid, alcalinity, magnesium, colour intensity, proline


def setup():
    torch.manual_seed(12)
    X, y = load_wine(return_X_y=True)
    X = X.copy()
    X[:, SKEWED] = np.log(X[:, SKEWED])
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.3, stratify=y, random_state=12)
    med = np.median(X_tr, axis=0)
    iqr = np.subtract(*np.percentile(X_tr, [75, 25], axis=0))
    X_tr = ((X_tr - med) / iqr).astype(np.float32)
    X_va = ((X_va - med) / iqr).astype(np.float32)
    model = nn.Sequential(
        nn.Linear(13, 32), nn.SiLU(), nn.Dropout(0.2),
        nn.Linear(32, 32), nn.SiLU(),
        nn.Linear(32, 3),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X_tr), torch.tensor(y_tr)),
        val=(torch.tensor(X_va), torch.tensor(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=1e-2),
        batch_size=16,
    )
