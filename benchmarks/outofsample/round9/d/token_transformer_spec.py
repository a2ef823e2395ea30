"""Checkup spec: small Transformer encoder with a [CLS] token for review polarity
(token ids from a toy lexicon: ids 1-4 positive cues, 5-8 negative cues, the rest neutral)."""
import math

import numpy as np
import torch
from torch import nn

import nndoctor

VOCAB, LEN, CLS = 24, 16, 0


def make_split(n, rng):
    x = rng.integers(1, VOCAB, size=(3 * n, LEN))
    x[:, 0] = CLS
    pos = ((x >= 1) & (x <= 4)).sum(1)
    neg = ((x >= 5) & (x <= 8)).sum(1)
    keep = np.flatnonzero(pos != neg)[:n]
    margin = (pos - neg)[keep]
    y = (rng.random(len(keep)) < 1.0 / (1.0 + np.exp(-2.0 * margin))).astype(np.int64)
    return torch.from_numpy(x[keep]).long(), torch.from_numpy(y).long()


class SeqEncoder(nn.Module):
    def __init__(self, d_model=64, nhead=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d_model)
        self.pos = nn.Parameter(torch.randn(1, LEN, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=128, dropout=0.1)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.cls = nn.Linear(d_model, 2)
        self.scale = math.sqrt(d_model)

    def forward(self, x):
        h = self.tok(x) * self.scale + self.pos
        h = self.encoder(h)
        return self.cls(self.norm(h[:, 0]))


def setup():
    torch.manual_seed(4)
    rng = np.random.default_rng(4)
    train = make_split(2000, rng)
    val = make_split(500, rng)
    return nndoctor.Setup(
        model=SeqEncoder(),
        train=train,
        val=val,
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01),
        batch_size=64,
    )
