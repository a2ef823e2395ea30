"""Support-ticket topic router: bag-of-words MLP over 40 helpdesk queues.

Tickets are tokenised upstream into a 400-word vocabulary; we feed TF-IDF rows
(l2-normalised, fitted on the training tickets) to a small MLP.
"""
import numpy as np
import torch
from torch import nn
from sklearn.feature_extraction.text import TfidfTransformer

import nndoctor

VOCAB, N_TOPICS = 400, 40


def simulate_tickets(n, rng):
    background = rng.dirichlet(np.full(VOCAB, 0.5))
    topic_words = rng.dirichlet(np.full(VOCAB, 0.05), size=N_TOPICS)
    y = rng.integers(0, N_TOPICS, n)
    lengths = rng.poisson(18, n) + 4
    counts = np.zeros((n, VOCAB))
    for k in range(n):
        mix = 0.3 * topic_words[y[k]] + 0.7 * background
        counts[k] = rng.multinomial(lengths[k], mix / mix.sum())
    return counts, y


def build_model(vocab, n_topics, hidden=128, proj=64):
    return nn.Sequential(
        nn.Linear(vocab, hidden), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(hidden, proj), nn.ReLU(),
        nn.Linear(proj, n_topics),
    )


def setup():
    torch.manual_seed(21)
    rng = np.random.default_rng(21)
    counts, y = simulate_tickets(8000, rng)
    tfidf = TfidfTransformer(sublinear_tf=True).fit(counts[:7000])
    X = tfidf.transform(counts).toarray().astype(np.float32)
    X_tr, y_tr = torch.from_numpy(X[:7000]), torch.from_numpy(y[:7000])
    X_va, y_va = torch.from_numpy(X[7000:]), torch.from_numpy(y[7000:])
    return nndoctor.Setup(
        model=build_model(VOCAB, N_TOPICS),
        train=(X_tr, y_tr),
        val=(X_va, y_va),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=128,
    )
