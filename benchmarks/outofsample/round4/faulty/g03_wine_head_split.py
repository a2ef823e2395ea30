"""Checkup spec: wine cultivar classifier; first 75% of rows for training, the rest for validation."""
import torch
import nndoctor
from torch import nn
from sklearn.datasets import load_wine


def setup():
    torch.manual_seed(0)
    X, y = load_wine(return_X_y=True)
    n_tr = int(0.75 * len(X))
    Xtr, Xva, ytr, yva = X[:n_tr], X[n_tr:], y[:n_tr], y[n_tr:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(Xtr, dtype=torch.float32), torch.tensor(ytr)),
        val=(torch.tensor(Xva, dtype=torch.float32), torch.tensor(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=16,
    )
