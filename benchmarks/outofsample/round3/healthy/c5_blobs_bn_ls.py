import numpy as np, torch
from torch import nn
import nndoctor
from sklearn.datasets import make_blobs

def setup():
    torch.manual_seed(0)
    X, y = make_blobs(n_samples=1500, centers=3, n_features=5, cluster_std=2.5, random_state=0)
    Xtr, Xva, ytr, yva = X[:1200], X[1200:], y[:1200], y[1200:]
    m, s = Xtr.mean(0), Xtr.std(0)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(5, 64), nn.BatchNorm1d(64), nn.ReLU(),
                          nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 3))
    return nndoctor.Setup(
        model=model,
        train=(f((Xtr - m) / s), torch.tensor(ytr)),
        val=(f((Xva - m) / s), torch.tensor(yva)),
        loss=nn.CrossEntropyLoss(label_smoothing=0.1),
        optimizer=lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        batch_size=32,
    )
