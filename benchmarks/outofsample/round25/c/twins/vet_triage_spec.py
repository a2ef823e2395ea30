"""Veterinary clinic phone triage: route a call to routine / same-day / emergency from the
receptionist's tokenised notes (bag of word-piece ids, padded to 96). Checkup spec."""
import numpy as np
import torch
from torch import nn

import nndoctor

VOCAB, MAX_LEN, PAD = 1200, 96, 0
LEVELS = ["routine", "same_day", "emergency"]


def call_notes(n, rng):
    # a few hundred clinically meaningful ids, the rest is filler (species, breed, owner chatter)
    red_flags = rng.choice(np.arange(1, VOCAB), 40, replace=False)
    amber = rng.choice(np.setdiff1d(np.arange(1, VOCAB), red_flags), 80, replace=False)
    reassuring = rng.choice(np.setdiff1d(np.arange(1, VOCAB), np.r_[red_flags, amber]), 60, replace=False)
    filler = np.setdiff1d(np.arange(1, VOCAB), np.r_[red_flags, amber, reassuring])
    zipf = 1.0 / np.arange(1, len(filler) + 1) ** 1.05
    zipf /= zipf.sum()
    X = np.full((n, MAX_LEN), PAD, dtype=np.int64)
    y = np.zeros(n, dtype=np.int64)
    for i in range(n):
        length = int(np.clip(rng.normal(60, 18), 15, MAX_LEN))
        toks = rng.choice(filler, length, p=zipf)
        n_red, n_amber, n_ok = rng.poisson(0.8), rng.poisson(2.0), rng.poisson(1.5)
        toks = np.r_[toks[: length - n_red - n_amber - n_ok], rng.choice(red_flags, n_red),
                     rng.choice(amber, n_amber), rng.choice(reassuring, n_ok)]
        rng.shuffle(toks)
        X[i, : len(toks)] = toks[:MAX_LEN]
        score = 1.6 * n_red + 0.6 * n_amber - 0.5 * n_ok + rng.normal(0, 0.3)
        y[i] = 2 if score > 2.0 else (1 if score > 0.8 else 0)
    return X, y


class TriageNet(nn.Module):
    def __init__(self, vocab=VOCAB, dim=64, hidden=64, n_out=len(LEVELS)):
        super().__init__()
        self.bag = nn.EmbeddingBag(vocab, dim, mode="mean", padding_idx=PAD)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.Tanh(), nn.Linear(hidden, n_out))

    def forward(self, tokens):
        return self.mlp(self.bag(tokens))


def setup():
    torch.manual_seed(17)
    rng = np.random.default_rng(17)
    X, y = call_notes(5000, rng)
    Xtr, ytr, Xva, yva = X[:4000], y[:4000], X[4000:], y[4000:]
    return nndoctor.Setup(
        model=TriageNet(),
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
