"""More generated data sets for the benchmark cases: large-vocabulary text and 2-D point clouds.

Like casedata.py, only data generation lives here; every case does its own preprocessing,
model, loss and optimizer.
"""
from __future__ import annotations

import numpy as np


def _zipf_probabilities(vocab: int, exponent: float) -> np.ndarray:
    ranks = np.arange(1, vocab + 1, dtype=np.float64)
    p = ranks ** -exponent
    return p / p.sum()


def zipf_corpus(n_tokens: int = 120_000, vocab: int = 10_000, exponent: float = 1.1, follow: float = 0.6, seed: int = 0) -> np.ndarray:
    """One long token stream over ``vocab`` ids whose unigram frequencies follow Zipf's law.

    Each token has one fixed successor (itself drawn from the Zipf distribution); with
    probability ``follow`` the next token is that successor, otherwise a fresh Zipf draw, so a
    model that learns the bigrams predicts far better than the unigram frequencies. Returns
    int64 ids of shape (n_tokens,); id 0 is the most frequent token.
    """
    rng = np.random.default_rng(seed)
    p = _zipf_probabilities(vocab, exponent)
    successor = rng.choice(vocab, size=vocab, p=p)
    draws = rng.choice(vocab, size=n_tokens, p=p)
    keep = rng.random(n_tokens) < follow
    out = np.empty(n_tokens, dtype=np.int64)
    out[0] = draws[0]
    for i in range(1, n_tokens):
        out[i] = successor[out[i - 1]] if keep[i] else draws[i]
    return out


def topic_documents(n: int = 2000, length: int = 48, vocab: int = 10_000, topics: int = 5, topic_share: float = 0.3,
                    exponent: float = 1.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Documents of ``length`` token ids over ``vocab`` labelled by topic.

    Background words follow one Zipf distribution over the whole vocabulary; each topic owns
    300 words (drawn from the less frequent half) that make up about ``topic_share`` of its
    documents. Returns X (n, length) int64 and y (n,) int64 in 0..topics-1.
    """
    rng = np.random.default_rng(seed)
    p = _zipf_probabilities(vocab, exponent)
    pool = rng.permutation(np.arange(vocab // 10, vocab))[: topics * 300].reshape(topics, 300)
    topic_p = _zipf_probabilities(300, 0.8)
    y = rng.integers(0, topics, size=n)
    x = rng.choice(vocab, size=(n, length), p=p)
    mask = rng.random((n, length)) < topic_share
    words = pool[y[:, None], rng.choice(300, size=(n, length), p=topic_p)]
    x[mask] = words[mask]
    return x.astype(np.int64), y.astype(np.int64)


def ring_points(n: int = 2000, modes: int = 8, radius: float = 2.0, spread: float = 0.05, seed: int = 0) -> np.ndarray:
    """Points from a ring of ``modes`` Gaussian blobs in 2-D: X (n, 2) float32."""
    rng = np.random.default_rng(seed)
    k = rng.integers(0, modes, size=n)
    angle = 2 * np.pi * k / modes
    centre = radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return (centre + spread * radius * rng.standard_normal((n, 2))).astype(np.float32)
