"""Checkup spec: biopsy malignancy from fine-needle-aspirate nucleus measurements.

The registry export codes the diagnosis as 1 = benign, 2 = malignant; the 30
cytology features are standardised with training statistics. A small MLP with
one logit is trained with BCEWithLogitsLoss.
"""
import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

import nndoctor


def load_registry_export():
    data = load_breast_cancer()
    X = data.data.astype(np.float32)
    diagnosis = np.where(data.target == 0, 2, 1)          # registry coding: 1 benign, 2 malignant
    return X, diagnosis


class BiopsyNet(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_in, 32), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(32, 16), nn.ReLU(),
            nn.Linear(16, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def setup():
    torch.manual_seed(0)
    X, diagnosis = load_registry_export()
    diagnosis = diagnosis - 1                              # 0 benign, 1 malignant for BCE
    X_tr, X_va, d_tr, d_va = train_test_split(X, diagnosis, test_size=0.3, stratify=diagnosis,
                                              random_state=4)
    scaler = StandardScaler().fit(X_tr)
    X_tr = scaler.transform(X_tr).astype(np.float32)
    X_va = scaler.transform(X_va).astype(np.float32)
    return nndoctor.Setup(
        model=BiopsyNet(X.shape[1]),
        train=(torch.from_numpy(X_tr), torch.tensor(d_tr, dtype=torch.float32)),
        val=(torch.from_numpy(X_va), torch.tensor(d_va, dtype=torch.float32)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        batch_size=32,
    )
