"""Response-surface model for a flow-reactor design of experiments: predict yield (%) from
10 coded process settings (5 of which turned out not to matter). Targets are standardised
with training statistics; predictions are mapped back with y * Y_STD + Y_MEAN."""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_friedman1

import nndoctor


def runs(n, seed):
    X, y = make_friedman1(n_samples=n, n_features=10, noise=0.8, random_state=seed)
    return X * 2.0 - 1.0, 40.0 + 2.5 * y          # settings coded to [-1, 1], yield in %


Xtr, ytr = runs(1600, 0)
Xva, yva = runs(400, 1)
Y_MEAN, Y_STD = ytr.mean(), ytr.std()


def tensors(X, y):
    return (torch.tensor(X, dtype=torch.float32),
            torch.tensor((y - Y_MEAN) / Y_STD, dtype=torch.float32).unsqueeze(1))


def setup():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(10, 96), nn.BatchNorm1d(96), nn.GELU(),
        nn.Linear(96, 96), nn.BatchNorm1d(96), nn.GELU(),
        nn.Linear(96, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=tensors(Xtr, ytr),
        val=tensors(Xva, yva),
        loss=nn.SmoothL1Loss(beta=0.5),
        optimizer=lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.9, nesterov=True, weight_decay=1e-4),
        batch_size=32,
        task="regression",
    )
