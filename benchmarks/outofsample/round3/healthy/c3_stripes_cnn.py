import numpy as np, torch
from torch import nn
import nndoctor

def stripes(n, rng):
    yy, xx = np.meshgrid(np.arange(16), np.arange(16), indexing="ij")
    X, y = [], []
    for _ in range(n):
        c = int(rng.integers(3))
        period = rng.uniform(3, 6); ph = rng.uniform(0, 2 * np.pi)
        coord = [xx, yy, xx + yy][c]
        img = np.sign(np.sin(2 * np.pi * coord / period + ph)) + rng.normal(0, 3.0, (16, 16))
        X.append(img[None]); y.append(c)
    return torch.tensor(np.array(X), dtype=torch.float32), torch.tensor(y)

def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    Xtr, ytr = stripes(1500, rng)
    Xva, yva = stripes(400, rng)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 3),
    )
    return nndoctor.Setup(
        model=model, train=(Xtr, ytr), val=(Xva, yva),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=1e-3),
        batch_size=32,
    )
