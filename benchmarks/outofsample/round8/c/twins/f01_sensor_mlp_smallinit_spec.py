"""Checkup spec: fault classifier for a (simulated) vibration-sensor rig.

Five-block ReLU MLP over 48 spectral features, SGD with momentum.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import nndoctor

WIDTH = 128
N_BLOCKS = 5


def make_data(seed=0):
    X, y = make_classification(n_samples=6000, n_features=48, n_informative=24,
                               n_redundant=12, n_classes=6, n_clusters_per_class=2,
                               class_sep=1.2, random_state=seed)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    sc = StandardScaler().fit(Xtr)
    return (sc.transform(Xtr).astype(np.float32), ytr.astype(np.int64),
            sc.transform(Xva).astype(np.float32), yva.astype(np.int64))


class FaultNet(nn.Module):
    def __init__(self, d_in, n_classes, width=WIDTH, n_blocks=N_BLOCKS):
        super().__init__()
        layers, d = [], d_in
        for _ in range(n_blocks):
            layers += [nn.Linear(d, width), nn.ReLU(), nn.Dropout(0.2)]
            d = width
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, n_classes)
        self.reset_parameters()

    def reset_parameters(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = make_data()
    model = FaultNet(Xtr.shape[1], 6)
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.02, momentum=0.9, weight_decay=5e-4),
        batch_size=64,
    )
