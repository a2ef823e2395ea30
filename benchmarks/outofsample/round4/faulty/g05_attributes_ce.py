"""Checkup spec: predict which of 6 attributes are present in a sensor embedding (several per sample)."""
import numpy as np
import torch
import nndoctor
from torch import nn

N_ATTR, D = 6, 40


def make_data(n, rng, protos):
    Y = (rng.random((n, N_ATTR)) < 0.35).astype(np.float32)
    Y[Y.sum(1) == 0, rng.integers(0, N_ATTR)] = 1.0
    X = Y @ protos + 1.5 * rng.standard_normal((n, D))
    X += 0.5 * np.tanh(X[:, ::-1])  # mild non-linearity
    return X.astype(np.float32), Y


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    protos = rng.standard_normal((N_ATTR, D)) * 0.6
    Xtr, Ytr = make_data(2500, rng, protos)
    Xva, Yva = make_data(600, rng, protos)
    model = nn.Sequential(nn.Linear(D, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, N_ATTR))
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(Xtr), torch.tensor(Ytr)),   # multi-hot targets
        val=(torch.tensor(Xva), torch.tensor(Yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
