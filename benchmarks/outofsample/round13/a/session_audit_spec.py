"""Flag suspicious admin sessions from server audit-log event sequences.

A session is suspicious when a failed login is followed, later in the same
session, by a privilege escalation (sudo). Sessions are sequences of event ids
(left-padded to a fixed length); a GRU reads them in order.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_EVENTS = 48          # 0 = padding
FAILED_LOGIN, SUDO = 5, 9
T = 24


def make_sessions(n, rng):
    X = np.zeros((n, T), dtype=np.int64)
    y = np.zeros(n, dtype=np.int64)
    common = np.array([e for e in range(1, N_EVENTS) if e not in (FAILED_LOGIN, SUDO)])
    for i in range(n):
        length = rng.integers(10, T + 1)
        seq = rng.choice(common, size=length)
        kind = rng.random()
        if kind < 0.7:                       # both events present, in either order
            a, b = sorted(rng.choice(length, size=2, replace=False))
            if kind < 0.4:
                seq[a], seq[b] = FAILED_LOGIN, SUDO
                y[i] = 1
            else:
                seq[a], seq[b] = SUDO, FAILED_LOGIN
        elif kind < 0.85:
            seq[rng.integers(length)] = FAILED_LOGIN
        else:
            seq[rng.integers(length)] = SUDO
        X[i, T - length:] = seq
    return torch.tensor(X), torch.tensor(y)


class SessionGRU(nn.Module):
    def __init__(self, n_events, dim=48):
        super().__init__()
        self.emb = nn.Embedding(n_events, dim, padding_idx=0)
        self.gru = nn.GRU(dim, dim, batch_first=True)
        self.fc = nn.Linear(dim, 2)

    def forward(self, tokens):
        x = self.emb(tokens)
        out, _ = self.gru(x)
        return self.fc(x.mean(dim=1))


def setup():
    torch.manual_seed(21)
    rng = np.random.default_rng(21)
    Xtr, ytr = make_sessions(2000, rng)
    Xva, yva = make_sessions(600, rng)
    return nndoctor.Setup(
        model=SessionGRU(N_EVENTS),
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=64,
    )
