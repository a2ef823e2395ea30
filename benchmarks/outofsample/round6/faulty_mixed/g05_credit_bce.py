"""Credit-risk scoring (German-credit style coding: 1 = good, 2 = bad) with a binary MLP head."""
import numpy as np
import torch
from torch import nn
import nndoctor
from sklearn.datasets import make_classification


def setup():
    torch.manual_seed(0)
    X, y01 = make_classification(n_samples=1000, n_features=20, n_informative=8, n_redundant=4,
                                 weights=[0.7, 0.3], class_sep=1.0, flip_y=0.02, random_state=5)
    risk = np.where(y01 == 1, 2, 1)                 # as stored in the source file: 1 good, 2 bad
    ntr = 800
    mu, sd = X[:ntr].mean(0), X[:ntr].std(0)
    X = (X - mu) / sd
    Xt = torch.tensor(X, dtype=torch.float32)
    yt = torch.tensor(risk, dtype=torch.float32).unsqueeze(1)

    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 1))
    return nndoctor.Setup(
        model=model,
        train=(Xt[:ntr], yt[:ntr]),
        val=(Xt[ntr:], yt[ntr:]),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=1e-3),
        batch_size=32,
    )
