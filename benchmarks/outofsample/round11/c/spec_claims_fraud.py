"""Checkup spec: flag fraudulent insurance claims (about 6% positives).

Tabular claim features (amount ratios, timing, provider statistics) simulated with
make_classification, log-scaled where skewed and standardised on the training split. The
imbalance is handled on purpose: positive class weighted in BCEWithLogitsLoss by the
negative/positive ratio, stratified split. BatchNorm MLP with dropout, AdamW.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

import nndoctor


def setup():
    torch.manual_seed(1)
    X, y = make_classification(
        n_samples=12000, n_features=18, n_informative=9, n_redundant=4, n_classes=2,
        weights=[0.94, 0.06], class_sep=1.0, flip_y=0.005, random_state=9,
    )
    X[:, :4] = np.expm1(np.abs(X[:, :4]))          # skewed amount-like columns
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=9)
    X_tr[:, :4], X_va[:, :4] = np.log1p(X_tr[:, :4]), np.log1p(X_va[:, :4])
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr = ((X_tr - mu) / sd).astype(np.float32)
    X_va = ((X_va - mu) / sd).astype(np.float32)

    model = nn.Sequential(
        nn.Linear(18, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(32, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(32, 1),
    )
    pos_weight = torch.tensor([(y_tr == 0).sum() / (y_tr == 1).sum()], dtype=torch.float32)

    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr).float().unsqueeze(1)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va).float().unsqueeze(1)),
        loss=nn.BCEWithLogitsLoss(pos_weight=pos_weight),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=128,
    )
