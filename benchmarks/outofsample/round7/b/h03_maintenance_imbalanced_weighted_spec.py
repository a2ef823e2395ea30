"""Checkup spec: predictive-maintenance state (normal / degraded / failing).

Failures are rare (about 3% of the log), degraded machines about 9%. The split is
stratified so every state is represented in validation, the scaler is fitted on
the training rows only, and the loss carries inverse-frequency class weights so
the rare states are not ignored.
"""
import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

import nndoctor

STATES = ["normal", "degraded", "failing"]


def load_sensor_log(seed=3):
    X, y = make_classification(
        n_samples=10000, n_features=18, n_informative=9, n_redundant=4,
        n_repeated=0, n_classes=3, n_clusters_per_class=2,
        weights=[0.88, 0.09, 0.03], class_sep=1.1, flip_y=0.0, random_state=seed,
    )
    # sensors report in their own units; the scaler below takes care of that
    units = np.array([1.0, 10.0, 0.5, 3.0, 2.0, 1.0, 0.2, 5.0, 1.0,
                      4.0, 1.0, 0.8, 2.5, 1.0, 1.5, 0.3, 6.0, 1.0])
    return (X * units).astype(np.float32), y


class StateClassifier(nn.Module):
    def __init__(self, n_in, n_out, width=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_in, width), nn.LayerNorm(width), nn.GELU(), nn.Dropout(0.25),
            nn.Linear(width, width), nn.LayerNorm(width), nn.GELU(), nn.Dropout(0.25),
            nn.Linear(width, n_out),
        )

    def forward(self, x):
        return self.net(x)


def setup():
    torch.manual_seed(0)
    X, y = load_sensor_log()
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_va = scaler.transform(X_tr), scaler.transform(X_va)

    counts = np.bincount(y_tr, minlength=len(STATES))
    class_weight = torch.tensor(len(y_tr) / (len(STATES) * counts), dtype=torch.float32)

    return nndoctor.Setup(
        model=StateClassifier(X.shape[1], len(STATES)),
        train=(torch.tensor(X_tr, dtype=torch.float32), torch.tensor(y_tr)),
        val=(torch.tensor(X_va, dtype=torch.float32), torch.tensor(y_va)),
        loss=nn.CrossEntropyLoss(weight=class_weight),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05),
        batch_size=64,
    )
