"""Checkup spec: disease-progression regression on the raw (unscaled) diabetes table, Huber loss.

Continuous columns (age, BMI, blood pressure, six serum measurements) are standardised with
training statistics; sex (coded 1/2 in the raw table) becomes a 0/1 indicator and is not
standardised. The target (25..346) is standardised with the training mean/std, so the Huber
delta of 1.0 means one standard deviation; invert with y * std + mean for predictions.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

import nndoctor


class DiabetesMLP(nn.Module):
    def __init__(self, n_in=10, hidden=32, p=0.1):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Dropout(p),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)


def setup():
    torch.manual_seed(2)
    X, y = load_diabetes(return_X_y=True, scaled=False)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=2)
    cont = [0, 2, 3, 4, 5, 6, 7, 8, 9]
    mu, sd = X_tr[:, cont].mean(0), X_tr[:, cont].std(0)

    def prep(A):
        out = A.copy()
        out[:, cont] = (A[:, cont] - mu) / sd
        out[:, 1] = (A[:, 1] == 2).astype(float)
        return torch.tensor(out, dtype=torch.float32)

    y_mu, y_sd = y_tr.mean(), y_tr.std()
    t = lambda a: torch.tensor((a - y_mu) / y_sd, dtype=torch.float32)
    return nndoctor.Setup(
        model=DiabetesMLP(),
        train=(prep(X_tr), t(y_tr)),
        val=(prep(X_va), t(y_va)),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda p: torch.optim.Adam(p, lr=1e-3, weight_decay=1e-3),
        batch_size=32,
    )
