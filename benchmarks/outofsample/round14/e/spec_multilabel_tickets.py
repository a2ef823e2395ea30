"""Support-ticket auto-tagging: each ticket (a 400-term count vector) carries one
or more of 10 tags, some rare. Multi-label head: one logit per tag under
BCEWithLogitsLoss with per-tag pos_weight (negatives/positives on the training
split, capped at 10 for the rarest tag), heavy dropout and decoupled weight
decay; counts log-scaled with tf-idf-style term weights from the training split."""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_multilabel_classification

import nndoctor


def load_tickets():
    X, Y = make_multilabel_classification(n_samples=3000, n_features=400, n_classes=10, n_labels=2,
                                          length=60, allow_unlabeled=False, random_state=9)
    n_tr = 2400
    df = (X[:n_tr] > 0).mean(0)
    idf = np.log((1 + n_tr) / (1 + df * n_tr)) + 1
    Xw = np.log1p(X) * idf
    Xw = Xw / np.linalg.norm(Xw, axis=1, keepdims=True).clip(1e-8)
    Xw = (Xw * np.sqrt(Xw.shape[1])).astype(np.float32)     # unit RMS per row
    Y = Y.astype(np.float32)
    return Xw[:n_tr], Y[:n_tr], Xw[n_tr:], Y[n_tr:]


def setup():
    torch.manual_seed(1)
    X_tr, Y_tr, X_va, Y_va = load_tickets()
    pos = Y_tr.mean(0)
    model = nn.Sequential(nn.Linear(400, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 10))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(Y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(Y_va)),
        loss=nn.BCEWithLogitsLoss(pos_weight=torch.tensor((1 - pos) / pos, dtype=torch.float32).clamp(max=10.0)),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-4, weight_decay=0.3),
        batch_size=32,
    )
