"""Session classifier over click-stream event ids.

Each session is a sequence of 16 event ids (vocabulary of 30 UI events).
The label says whether the user opened the help page (event 4) shortly
after hitting an error (event 3): within 3 events of it.
"""

import numpy as np
import torch
from torch import nn

import nndoctor

VOCAB, SEQ_LEN, ERR, HELP = 30, 16, 3, 4


def make_sessions(n, rng):
    X = rng.integers(5, VOCAB, size=(n, SEQ_LEN))
    y = np.zeros(n, dtype=np.int64)
    for i in range(n):
        p_err = rng.integers(0, SEQ_LEN - 1)
        if rng.random() < 0.5:                       # help follows soon after the error
            gap = rng.integers(1, 4)
            y[i] = 1
        else:                                        # help appears far from it (or before it)
            gap = rng.choice([g for g in range(-SEQ_LEN + 1, SEQ_LEN) if g > 3 or g < 0])
        p_help = p_err + gap
        if not 0 <= p_help < SEQ_LEN or p_help == p_err:
            p_help = (p_err + 8) % SEQ_LEN if y[i] == 0 else min(p_err + 1, SEQ_LEN - 1)
            if y[i] == 1 and p_help == p_err:
                p_err, p_help = p_err - 1, p_err
        X[i, p_err], X[i, p_help] = ERR, HELP
    return torch.from_numpy(X).long(), torch.from_numpy(y)


class SessionEncoder(nn.Module):
    def __init__(self, vocab=VOCAB, d_model=32, nhead=4, layers=2, max_len=SEQ_LEN):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(torch.randn(1, max_len, d_model))
        self.blocks = nn.ModuleList([
            nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=64, dropout=0.1)
            for _ in range(layers)
        ])
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, 2)

    def forward(self, ids):                          # ids: (batch, seq)
        h = self.tok(ids) + self.pos[:, : ids.size(1)]
        for block in self.blocks:
            h = block(h)
        return self.head(self.norm(h).mean(dim=1))


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X_tr, y_tr = make_sessions(2000, rng)
    X_va, y_va = make_sessions(400, rng)
    return nndoctor.Setup(
        model=SessionEncoder(),
        train=(X_tr, y_tr),
        val=(X_va, y_va),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01),
        batch_size=64,
    )
