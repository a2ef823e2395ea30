"""Churn prediction from account attributes with a small residual MLP.

The training table is built from the product's session log: every logged
session is joined with the attributes of the account that produced it and
with the account's churn flag (known three months later). Validation uses a
separate set of accounts, one row each.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_ACCOUNTS, N_ATTR = 2400, 12


def make_accounts(rng):
    A = rng.normal(size=(N_ACCOUNTS, N_ATTR))
    A[:, 0] = rng.gamma(2.0, 1.0, N_ACCOUNTS)                 # weekly active days (heavy tail)
    A[:, 0] = (A[:, 0] - A[:, 0].mean()) / A[:, 0].std()
    w = rng.normal(size=N_ATTR) * 0.6
    z = A @ w - 1.2 * A[:, 0] + 0.8 * np.sin(2 * A[:, 1]) * A[:, 2] + 0.7 * (A[:, 3] ** 2 - 1)
    churn = (z + rng.normal(scale=0.7, size=N_ACCOUNTS) > 0.4).astype(np.int64)
    # sessions in the log window: active, non-churning accounts log many more
    rate = np.exp(0.9 * A[:, 0] - 1.0 * churn + 0.3 * A[:, 4])
    n_sessions = 1 + rng.poisson(2 * rate)
    return A.astype(np.float32), churn, n_sessions


class ResBlock(nn.Module):
    def __init__(self, d, p=0.1):
        super().__init__()
        self.net = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, d), nn.GELU(), nn.Dropout(p), nn.Linear(d, d))

    def forward(self, x):
        return x + self.net(x)


class ResMLP(nn.Module):
    def __init__(self, d_in, d=128, blocks=3, n_out=2):
        super().__init__()
        self.inp = nn.Linear(d_in, d)
        self.blocks = nn.Sequential(*[ResBlock(d) for _ in range(blocks)])
        self.out = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, n_out))

    def forward(self, x):
        return self.out(self.blocks(self.inp(x)))


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(11)
    attrs, churn, n_sessions = make_accounts(rng)
    acct = rng.permutation(N_ACCOUNTS)
    train_acct, val_acct = acct[:1800], acct[1800:]

    # one row per logged session of a training account
    session_acct = np.repeat(np.arange(N_ACCOUNTS), n_sessions)
    rows = session_acct[np.isin(session_acct, train_acct)]

    t = torch.from_numpy
    return nndoctor.Setup(
        model=ResMLP(N_ATTR),
        train=(t(attrs[rows]), t(churn[rows])),
        val=(t(attrs[val_acct]), t(churn[val_acct])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-4),
        batch_size=128,
    )
