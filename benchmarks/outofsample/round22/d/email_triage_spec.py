"""Multi-label e-mail triage: route each message to the queues that must see it.

Features are log term counts over a 400-word vocabulary (standardised on the training
split). Ten queues, each rare (1-6% of messages), so the head starts from the queue priors.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

QUEUES = ["billing", "legal", "it-access", "hr", "sales-lead", "complaint",
          "shipping", "security", "press", "exec-escalation"]


def make_mail(n, vocab=400, seed=7):
    rng = np.random.default_rng(seed)
    k = len(QUEUES)
    rates = np.linspace(0.01, 0.06, k)
    rng.shuffle(rates)
    Y = (rng.random((n, k)) < rates).astype(np.float32)
    bg = 1.0 / np.arange(1, vocab + 1) ** 0.6
    bg /= bg.sum()
    cue = [rng.choice(np.arange(60, vocab), size=14, replace=False) for _ in range(k)]
    counts = np.zeros((n, vocab), dtype=np.float32)
    for i in range(n):
        words = rng.choice(vocab, size=rng.poisson(45) + 5, p=bg)
        np.add.at(counts[i], words, 1)
        for j in np.flatnonzero(Y[i]):
            np.add.at(counts[i], rng.choice(cue[j], size=rng.poisson(4) + 2), 1)
        # cue words also leak into unrelated mail now and then
        if rng.random() < 0.3:
            j = rng.integers(k)
            np.add.at(counts[i], rng.choice(cue[j], size=1), 1)
    return np.log1p(counts), Y


def setup():
    torch.manual_seed(0)
    X, Y = make_mail(6000)
    Xtr, Ytr, Xva, Yva = X[:5000], Y[:5000], X[5000:], Y[5000:]
    mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-6
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(64, len(QUEUES)),
    )
    prior = torch.tensor(Ytr.mean(0)).clamp(1e-3, 1 - 1e-3)
    with torch.no_grad():
        model[-1].bias.copy_(torch.log((1 - prior) / prior))

    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Ytr)),
        val=(torch.tensor(Xva, dtype=torch.float32), torch.tensor(Yva)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-4, weight_decay=0.1),
        batch_size=64,
    )
