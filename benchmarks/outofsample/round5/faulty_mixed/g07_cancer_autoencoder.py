"""Autoencoder on the 30 cell-nucleus measurements of the breast-cancer
table, trained on benign cases only; its reconstruction error is later
used as an anomaly score for malignant ones.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import nndoctor


class AutoEncoder(nn.Module):
    def __init__(self, d_in=30, code=8):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(d_in, 64), nn.ReLU(),
            nn.Linear(64, 32), nn.ReLU(),
            nn.Linear(32, code),
        )
        self.decoder = nn.Sequential(
            nn.Linear(code, 32), nn.ReLU(),
            nn.Linear(32, 64), nn.ReLU(),
            nn.Linear(64, d_in),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.decoder(self.encoder(x))


def setup():
    torch.manual_seed(0)
    data = load_breast_cancer()
    benign = data.data[data.target == 1]                       # 357 benign cases
    X_tr, X_va = train_test_split(benign, test_size=0.2, random_state=0)
    scaler = StandardScaler().fit(X_tr)
    X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
    X_va = torch.tensor(scaler.transform(X_va), dtype=torch.float32)
    return nndoctor.Setup(
        model=AutoEncoder(),
        train=(X_tr, X_tr),
        val=(X_va, X_va),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
