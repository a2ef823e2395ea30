import numpy as np, torch
from torch import nn
import nndoctor
from sklearn.datasets import make_friedman2

def setup():
    torch.manual_seed(0)
    X, y = make_friedman2(n_samples=2000, noise=120.0, random_state=0)
    Xtr, Xva, ytr, yva = X[:1600], X[1600:], y[:1600], y[1600:]
    xm, xs = Xtr.mean(0), Xtr.std(0)
    ym, ys = ytr.mean(), ytr.std()
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    return nndoctor.Setup(
        model=model,
        train=(f((Xtr - xm) / xs), f((ytr - ym) / ys)[:, None]),
        val=(f((Xva - xm) / xs), f((yva - ym) / ys)[:, None]),
        loss=nn.MSELoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=1e-3),
        batch_size=32,
    )
