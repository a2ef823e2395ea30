"""Checkup spec: breast-cancer classifier built by a depth parameter (deep tanh MLP, SGD momentum)."""
import torch
import nndoctor
from torch import nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split


def make_mlp(d_in, width=64, depth=18, n_out=2):
    layers, d = [], d_in
    for _ in range(depth):
        layers += [nn.Linear(d, width), nn.Tanh()]
        d = width
    layers.append(nn.Linear(d, n_out))
    return nn.Sequential(*layers)


def setup():
    torch.manual_seed(0)
    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    return nndoctor.Setup(
        model=make_mlp(30),
        train=(torch.tensor(Xtr, dtype=torch.float32), torch.tensor(ytr)),
        val=(torch.tensor(Xva, dtype=torch.float32), torch.tensor(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        batch_size=32,
    )
