"""Checkup spec: diabetes progression regression with an MLP (features standardised)."""
import torch
import nndoctor
from torch import nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split


def setup():
    torch.manual_seed(0)
    X, y = load_diabetes(return_X_y=True, scaled=False)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
    return nndoctor.Setup(
        model=model,
        train=(f(Xtr), f(ytr).unsqueeze(1)),      # disease progression, raw units (25..346)
        val=(f(Xva), f(yva).unsqueeze(1)),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
