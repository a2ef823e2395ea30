"""Cultivar identification from 13 chemical assays: 178 wines in all, so the
network is kept small and regularised hard (dropout 0.4 on the input and hidden
layer, decoupled weight decay 0.05, label smoothing 0.1) and trained in
mini-batches of 16."""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split

import nndoctor


def setup():
    torch.manual_seed(0)
    X, y = load_wine(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.3, stratify=y, random_state=4)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr = ((X_tr - mu) / sd).astype(np.float32)
    X_va = ((X_va - mu) / sd).astype(np.float32)
    model = nn.Sequential(
        nn.Dropout(0.2),
        nn.Linear(13, 32), nn.ReLU(), nn.Dropout(0.4),
        nn.Linear(32, 3),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(label_smoothing=0.1),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=0.05),
        batch_size=16,
    )
