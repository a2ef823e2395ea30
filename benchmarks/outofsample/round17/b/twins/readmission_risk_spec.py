"""30-day readmission risk from discharge vitals and labs (synthetic cohort).

Checkup spec: `setup()` returns the model, splits, loss and optimizer.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

FEATURES = ["age", "bmi", "sys_bp", "glucose", "creatinine", "hemoglobin",
            "prior_admits", "los_days", "sodium", "heart_rate"]


def make_cohort(n=3000, seed=7):
    rng = np.random.default_rng(seed)
    age = rng.normal(64, 14, n).clip(18, 98)
    bmi = rng.normal(28, 6, n).clip(15, 55)
    sys_bp = rng.normal(132, 18, n)
    glucose = rng.lognormal(np.log(115), 0.3, n)
    creat = rng.lognormal(np.log(1.0), 0.35, n)
    hgb = rng.normal(12.8, 1.8, n)
    prior = rng.poisson(0.8, n).astype(float)
    los = rng.gamma(2.0, 2.5, n)
    sodium = rng.normal(139, 3.5, n)
    hr = rng.normal(80, 13, n)
    X = np.column_stack([age, bmi, sys_bp, glucose, creat, hgb, prior, los, sodium, hr])
    z = (X - X.mean(0)) / X.std(0)
    # risk is U-shaped in several labs and has interactions
    logit = (1.1 * (z[:, 3] ** 2 - 1) + 1.0 * (z[:, 8] ** 2 - 1) + 0.9 * (np.abs(z[:, 2]) - 0.8)
             + 1.2 * z[:, 0] * z[:, 4] - 0.8 * z[:, 5] * z[:, 1] + 0.5 * np.sqrt(prior) + 0.2 * z[:, 7])
    logit = logit + rng.normal(0, 0.6, n)
    y = (logit > np.median(logit)).astype(np.int64)
    return X.astype(np.float32), y


class RiskNet(nn.Module):
    def __init__(self, d_in, width=64, depth=3, p_drop=0.1):
        super().__init__()
        dims = [d_in] + [width] * depth
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.act = nn.SiLU()
        self.drop = nn.Dropout(p_drop)
        self.out = nn.Linear(width, 2)

    def forward(self, x):
        for layer in self.hidden:
            x = self.drop(self.act(layer(x)))
        return self.out(x)


def setup():
    torch.manual_seed(0)
    X, y = make_cohort()
    n_tr = 2400
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd
    Xt, yt = torch.tensor(X), torch.tensor(y)
    model = RiskNet(X.shape[1])
    return nndoctor.Setup(
        model=model,
        train=(Xt[:n_tr], yt[:n_tr]),
        val=(Xt[n_tr:], yt[n_tr:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
