import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


def pretrained_backbone(X, y):
    """A backbone trained briefly on digits 0-4 (a stand-in for a downloaded checkpoint)."""
    g = torch.Generator().manual_seed(0)
    backbone = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
    head = nn.Linear(64, 5)
    opt = torch.optim.Adam([*backbone.parameters(), *head.parameters()], lr=3e-3)
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    for _ in range(300):
        idx = torch.randint(0, len(X), (64,), generator=g)
        loss = nn.functional.cross_entropy(head(backbone(X[idx])), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return backbone


def setup():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0 - 0.3).astype(np.float32)
    torch.manual_seed(10)
    backbone = pretrained_backbone(X[y < 5], y[y < 5])
    for p in backbone[0].parameters():
        p.requires_grad = False  # freeze the first layer
    Xn, yn = X[y >= 5], y[y >= 5] - 5
    X_train, X_val, y_train, y_val = train_test_split(Xn, yn, test_size=0.25, random_state=81, stratify=yn)
    model = nn.Sequential(backbone, nn.Dropout(0.1), nn.Linear(64, 5))
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam([p for p in params if p.requires_grad], lr=1e-3),
        batch_size=32,
    )
