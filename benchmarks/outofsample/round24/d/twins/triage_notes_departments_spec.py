"""Hospital triage notes -> which specialist services to page (multi-label).

A triage nurse's free-text note is turned into a bag of 400 clinical terms
(log counts, rows L2-normalised). One note can need several services at once
(e.g. a fall with chest pain pages orthopaedics and cardiology): the targets
are multi-hot over 7 services.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

VOCAB, SERVICES = 400, 7


def make_notes(n, seed=5):
    rng = np.random.default_rng(seed)
    # each service owns a block of indicative terms; the rest are shared filler words
    blocks = [np.arange(20 + 40 * s, 20 + 40 * s + 40) for s in range(SERVICES)]
    filler = np.concatenate([np.arange(0, 20), np.arange(300, VOCAB)])
    X = np.zeros((n, VOCAB), dtype=np.float32)
    Y = np.zeros((n, SERVICES), dtype=np.float32)
    prior = np.array([0.45, 0.40, 0.35, 0.30, 0.25, 0.20, 0.15])
    for i in range(n):
        need = rng.random(SERVICES) < prior
        if not need.any():
            need[rng.integers(SERVICES)] = True
        Y[i] = need
        words = list(rng.choice(filler, size=rng.integers(15, 40)))
        for s in np.flatnonzero(need):
            words += list(rng.choice(blocks[s], size=rng.integers(2, 6)))
        # terms that are mentioned but negated or incidental ("no chest pain")
        for s in rng.choice(SERVICES, size=2, replace=False):
            if rng.random() < 0.3:
                words += list(rng.choice(blocks[s], size=1))
        np.add.at(X[i], np.array(words), 1.0)
    X = np.log1p(X)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return X, Y


def setup():
    torch.manual_seed(0)
    X, Y = make_notes(3000)
    X, Y = torch.tensor(X), torch.tensor(Y)
    model = nn.Sequential(
        nn.Linear(VOCAB, 128), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(128, SERVICES),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[:2400], Y[:2400]),
        val=(X[2400:], Y[2400:]),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=32,
    )
