"""Checkup spec: multi-label document tagging from bag-of-words counts.

make_multilabel_classification gives 120 word counts per document and 8 tags (a document can
carry several tags or none). Counts are log1p-transformed and standardised with training
statistics; the model emits one logit per tag and is trained with BCEWithLogitsLoss on float
0/1 targets. The output bias starts at the log-odds of each tag's training frequency.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import train_test_split

import nndoctor


def setup():
    torch.manual_seed(12)
    X, Y = make_multilabel_classification(n_samples=3000, n_features=120, n_classes=8, n_labels=2,
                                          length=150, allow_unlabeled=True, random_state=5)
    X = np.log1p(X)
    X_tr, X_va, Y_tr, Y_va = train_test_split(X, Y, test_size=0.2, random_state=12)
    mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    model = nn.Sequential(
        nn.Linear(120, 128), nn.ReLU(), nn.Dropout(0.4),
        nn.Linear(128, 8),
    )
    freq = Y_tr.mean(0).clip(0.01, 0.99)
    with torch.no_grad():
        model[-1].bias.copy_(torch.tensor(np.log(freq / (1 - freq)), dtype=torch.float32))

    t = lambda a: torch.tensor(a, dtype=torch.float32)
    return nndoctor.Setup(
        model=model,
        train=(t(X_tr), t(Y_tr)),
        val=(t(X_va), t(Y_va)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda p: torch.optim.AdamW(p, lr=5e-4, weight_decay=5e-2),
        batch_size=64,
    )
