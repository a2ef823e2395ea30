"""Checkup spec: 8x8 handwritten-digit scans (sklearn) as 64 flat features, border pixels that barely vary
(std under one grey level in the training split) dropped, each remaining pixel standardised; a self-normalising network
(Klambauer et al. 2017): 8 SELU layers, LeCun-normal init, AlphaDropout, no BatchNorm and no skips;
the activations keep zero mean / unit variance by construction."""
import math

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nndoctor


def snn(d_in, width=128, depth=8, n_out=10, p_drop=0.05):
    layers, d = [], d_in
    for _ in range(depth):
        layers += [nn.Linear(d, width), nn.SELU(), nn.AlphaDropout(p_drop)]
        d = width
    layers.append(nn.Linear(d, n_out))
    net = nn.Sequential(*layers)
    for m in net.modules():
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=1.0 / math.sqrt(m.in_features))   # LeCun normal
            nn.init.zeros_(m.bias)
    return net


def setup():
    torch.manual_seed(5)
    X, y = load_digits(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    keep = Xtr.std(0) > 1.0
    mu, sd = Xtr[:, keep].mean(0), Xtr[:, keep].std(0)
    f = lambda a: torch.tensor((a[:, keep] - mu) / sd, dtype=torch.float32)
    return nndoctor.Setup(
        model=snn(int(keep.sum())),
        train=(f(Xtr), torch.tensor(ytr)),
        val=(f(Xva), torch.tensor(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.005, momentum=0.9, weight_decay=1e-3),
        batch_size=32,
    )
