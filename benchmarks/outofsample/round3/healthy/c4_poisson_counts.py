import numpy as np, torch
from torch import nn
import nndoctor

def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    n = 3000
    X = rng.standard_normal((n, 6))
    w = np.array([0.6, -0.4, 0.3, 0.0, 0.2, -0.5])
    rate = np.exp(1.0 + X @ w + 0.3 * np.sin(2 * X[:, 0]))
    y = rng.poisson(rate).astype(np.float32)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1))
    return nndoctor.Setup(
        model=model,
        train=(f(X[:2400]), f(y[:2400])[:, None]),
        val=(f(X[2400:]), f(y[2400:])[:, None]),
        loss=nn.PoissonNLLLoss(log_input=True),
        optimizer=lambda p: torch.optim.Adam(p, lr=3e-3),
        batch_size=64,
    )
