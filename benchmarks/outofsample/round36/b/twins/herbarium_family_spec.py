"""Checkup spec: plant family from digitised herbarium sheet labels.

Label text (collector's notes, habitat, morphology) was OCR'd and tokenised with the
collection's 900-word vocabulary; each sheet keeps its first 72 tokens. Bag-of-embeddings
encoder with a tanh projection, as in the prototype the curators already use for routing
sheets to specialists.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_FAMILIES, VOCAB, LEN = 8, 900, 72


def make_labels(n, rng):
    common = np.arange(0, 500)                       # habitat, dates, place names, ...
    family_words = [500 + 50 * k + np.arange(50) for k in range(N_FAMILIES)]
    shared = [np.concatenate([family_words[k][:25], family_words[(k + 1) % N_FAMILIES][:25]])
              for k in range(N_FAMILIES)]            # morphology words shared with a neighbour family
    zipf = 1.0 / np.arange(1, 501) ** 0.9
    zipf /= zipf.sum()
    y = rng.integers(0, N_FAMILIES, n)
    X = np.empty((n, LEN), np.int64)
    for i, k in enumerate(y):
        n_spec = rng.binomial(LEN, 0.035)
        n_shared = rng.binomial(LEN - n_spec, 0.10)
        toks = np.concatenate([
            rng.choice(family_words[k], n_spec),
            rng.choice(shared[(k - 1) % N_FAMILIES], n_shared),
            rng.choice(common, LEN - n_spec - n_shared, p=zipf),
        ])
        X[i] = rng.permutation(toks)
    return X, y


class LabelEncoder(nn.Module):
    def __init__(self, vocab=VOCAB, dim=64, n_classes=N_FAMILIES):
        super().__init__()
        self.bag = nn.EmbeddingBag(vocab, dim, mode="mean")
        self.proj = nn.Sequential(nn.Tanh(), nn.Dropout(0.1), nn.Linear(dim, n_classes))

    def forward(self, tokens):
        return self.proj(self.bag(tokens))


def setup():
    torch.manual_seed(11)
    rng = np.random.default_rng(11)
    X, y = make_labels(2000, rng)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    return nndoctor.Setup(
        model=LabelEncoder(),
        train=(Xt[:1500], yt[:1500]),
        val=(Xt[1500:], yt[1500:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.Adam(p, lr=3e-3),
        batch_size=32,
    )
