"""Loan default (about 1 in 6) from 18 application features: log-transformed money amounts,
a two-block residual MLP with LayerNorm, a single logit with its bias set to the training
log-odds, and Nesterov SGD."""
import numpy as np
import torch
from torch import nn
from sklearn.model_selection import train_test_split
import nndoctor


class ResBlock(nn.Module):
    def __init__(self, d, p=0.2):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Dropout(p), nn.Linear(2 * d, d))

    def forward(self, x):
        return x + self.ff(self.norm(x))


class ResMLP(nn.Module):
    def __init__(self, d_in, d=32, prior_logit=0.0):
        super().__init__()
        self.stem = nn.Linear(d_in, d)
        self.blocks = nn.Sequential(ResBlock(d), ResBlock(d))
        self.norm = nn.LayerNorm(d)
        self.out = nn.Linear(d, 1)
        nn.init.constant_(self.out.bias, prior_logit)

    def forward(self, x):
        return self.out(self.norm(self.blocks(self.stem(x))))


def _applications(n, rng):
    z = rng.normal(size=(n, 6))
    income = np.exp(10.5 + 0.5 * z[:, 0])
    loan = np.exp(9.5 + 0.6 * z[:, 1] + 0.3 * z[:, 0])
    balance = np.exp(7 + 1.2 * z[:, 2])
    tenure = rng.gamma(2 + 2 * (z[:, 3] > 0), 2.0)
    inquiries = rng.poisson(np.exp(0.3 + 0.5 * z[:, 4]))
    util = 1 / (1 + np.exp(-z[:, 5] - 0.4 * z[:, 4]))
    other = rng.normal(size=(n, 12)) + 0.3 * z[:, [0, 1, 2, 3, 4, 5] * 2]
    dti = loan / income
    logit = -2.0 + 16.0 * (dti - 0.3).clip(0) * util + 4.5 * (inquiries >= 3) - 0.5 * tenure \
        - 1.5 * np.abs(np.log(balance / 1000)).clip(0, 3) + 3.5 * np.sin(2 * other[:, 0]) * (util > 0.5)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    money = np.log1p(np.column_stack([income, loan, balance]))
    X = np.column_stack([money, tenure, inquiries, util, dti, other[:, :11]])
    return X, y


def setup():
    torch.manual_seed(31)
    X, y = _applications(8000, np.random.default_rng(31))
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, stratify=y, random_state=31)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    p = ytr.mean()
    model = ResMLP(X.shape[1], prior_logit=float(np.log(p / (1 - p))))
    t = lambda a: torch.tensor(a, dtype=torch.float32)
    return nndoctor.Setup(
        model=model,
        train=(t(Xtr), t(ytr).unsqueeze(1)),
        val=(t(Xva), t(yva).unsqueeze(1)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9, nesterov=True,
                                                 weight_decay=1e-3),
        batch_size=32,
    )
