import numpy as np, torch
from torch import nn
import nndoctor
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

def setup():
    torch.manual_seed(0)
    X, y = load_iris(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    m, s = Xtr.mean(0), Xtr.std(0)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(4, 32), nn.SiLU(), nn.Linear(32, 32), nn.SiLU(), nn.Linear(32, 3))
    return nndoctor.Setup(
        model=model,
        train=(f((Xtr - m) / s), torch.tensor(ytr)),
        val=(f((Xva - m) / s), torch.tensor(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=5e-3),
        batch_size=16,
    )
