"""Checkup spec: transfer a frozen pretrained CNN backbone to a new label set with few labels.

The backbone (conv + BatchNorm) is pretrained on digits 0-4 (the "upstream" data set, standing in
for a downloaded checkpoint).  Downstream task: digits 5-9 with only 200 labelled scans.  The
backbone is frozen - requires_grad off, and its BatchNorm layers kept in eval mode by overriding
train() so the upstream running statistics are used - and only a new MLP head is trained.  The
optimizer is given the trainable parameters only.
"""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

import nndoctor


def conv_bn(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(conv_bn(1, 32), conv_bn(32, 64), nn.MaxPool2d(2),   # 8x8 -> 4x4
                                      conv_bn(64, 64), nn.MaxPool2d(2), nn.Flatten())      # -> 64x2x2

    def forward(self, x):
        return self.features(x)


class FrozenBackbone(nn.Module):
    """Wraps a pretrained backbone: no gradients, BatchNorm always in inference mode."""

    def __init__(self, backbone):
        super().__init__()
        self.body = backbone
        for p in self.body.parameters():
            p.requires_grad_(False)
        self.body.eval()

    def train(self, mode=True):
        super().train(mode)
        self.body.eval()
        return self

    def forward(self, x):
        return self.body(x)


def load_split():
    d = load_digits()
    X = torch.tensor(d.images / 8.0 - 1.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(d.target)
    return X, y


def pretrain_backbone(X, y, epochs=6):
    g = torch.Generator().manual_seed(123)
    net = nn.Sequential(Backbone(), nn.Dropout(0.3), nn.Linear(256, 5))
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    net.train()
    for _ in range(epochs):
        perm = torch.randperm(len(y), generator=g)
        for i in range(0, len(y), 64):
            idx = perm[i:i + 64]
            loss = F.cross_entropy(net(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return net[0]


def data():
    X, y = load_split()
    up = y < 5
    down_idx = torch.nonzero(~up).squeeze(1)
    g = torch.Generator().manual_seed(7)
    down_idx = down_idx[torch.randperm(len(down_idx), generator=g)]
    tr, va = down_idx[:200], down_idx[200:]
    return (X[up], y[up]), (X[tr], y[tr] - 5), (X[va], y[va] - 5)


def setup():
    torch.manual_seed(0)
    (Xup, yup), (Xtr, ytr), (Xva, yva) = data()
    backbone = pretrain_backbone(Xup, yup)
    model = nn.Sequential(
        FrozenBackbone(backbone),
        nn.Linear(256, 64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 5),
    )
    return nndoctor.Setup(
        model=model,
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam([p for p in params if p.requires_grad], lr=3e-3),
        batch_size=32,
    )
