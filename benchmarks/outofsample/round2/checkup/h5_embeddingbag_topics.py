import numpy as np
import torch
from torch import nn

import nndoctor

VOCAB = 5000
PAD = 0


def documents(n, seed, n_topics=5, length=40):
    """Fixed-length padded word-id documents; each topic prefers its own 200-word slice of the vocabulary."""
    rng = np.random.default_rng(0)
    topic_words = rng.permutation(np.arange(1, VOCAB))[: n_topics * 200].reshape(n_topics, 200)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_topics, n)
    X = np.full((n, length), PAD, dtype=np.int64)
    for i in range(n):
        L = rng.integers(10, length + 1)
        words = rng.integers(1, VOCAB, L)
        topical = rng.random(L) < 0.25
        words[topical] = rng.choice(topic_words[y[i]], topical.sum())
        X[i, :L] = words
    return X, y


class BagModel(nn.Module):
    def __init__(self, dim=32, n_out=5):
        super().__init__()
        self.bag = nn.EmbeddingBag(VOCAB, dim, mode="mean", padding_idx=PAD)
        self.out = nn.Linear(dim, n_out)

    def forward(self, ids):
        return self.out(self.bag(ids))


def setup():
    X_train, y_train = documents(4000, seed=501)
    X_val, y_val = documents(800, seed=502)
    torch.manual_seed(15)
    return nndoctor.Setup(
        model=BagModel(),
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adagrad(params, lr=0.1),
        batch_size=64,
    )
