"""Generated data sets for the benchmark cases c400-c499 and r400-r499.

Only data generation lives here: every case does its own preprocessing, model, loss and
optimizer, so nothing in this module says what a case gets right or wrong.
"""
from __future__ import annotations

import numpy as np


def _zipf(vocab: int, exponent: float) -> np.ndarray:
    p = np.arange(1, vocab + 1, dtype=np.float64) ** -exponent
    return p / p.sum()


def zipf_text(n_tokens: int = 60_000, vocab: int = 4000, exponent: float = 1.1, follow: float = 0.7, seed: int = 0) -> np.ndarray:
    """A token stream over ``vocab`` ids with Zipfian unigram frequencies (id 0 most frequent).

    Every id has one fixed successor; with probability ``follow`` the next token is the
    successor of the current one, otherwise a fresh Zipf draw. Returns int64 ids (n_tokens,).
    """
    rng = np.random.default_rng(seed)
    p = _zipf(vocab, exponent)
    successor = rng.choice(vocab, size=vocab, p=p)
    draws = rng.choice(vocab, size=n_tokens, p=p)
    keep = rng.random(n_tokens) < follow
    out = np.empty(n_tokens, dtype=np.int64)
    out[0] = draws[0]
    for i in range(1, n_tokens):
        out[i] = successor[out[i - 1]] if keep[i] else draws[i]
    return out


def topic_docs(n: int = 1500, length: int = 32, vocab: int = 5000, topics: int = 4, share: float = 0.25,
               weights: tuple[float, ...] | None = None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Documents of Zipfian background words; each topic owns 200 rarer words making up ``share`` of its tokens.

    ``weights`` gives the topic frequencies (uniform when None). Returns X (n, length) int64, y (n,) int64.
    """
    rng = np.random.default_rng(seed)
    p = _zipf(vocab, 1.1)
    pool = rng.permutation(np.arange(vocab // 10, vocab))[: topics * 200].reshape(topics, 200)
    y = rng.choice(topics, size=n, p=None if weights is None else np.asarray(weights) / np.sum(weights))
    x = rng.choice(vocab, size=(n, length), p=p)
    mask = rng.random((n, length)) < share
    words = pool[y[:, None], rng.integers(0, 200, size=(n, length))]
    x[mask] = words[mask]
    return x.astype(np.int64), y.astype(np.int64)


def plant_readings(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Tabular process readings (10 columns, roughly unit scale) and a smooth nonlinear yield with a few outliers.

    Returns X (n, 10) float32 and y (n,) float32.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 10))
    y = (np.sin(1.5 * x[:, 0]) + 0.8 * x[:, 1] * x[:, 2] + 0.5 * x[:, 3] ** 2 - 0.7 * np.abs(x[:, 4])
         + 0.4 * np.tanh(2 * x[:, 5]) + 0.2 * rng.standard_normal(n))
    outliers = rng.random(n) < 0.03
    y[outliers] += rng.normal(0, 6, outliers.sum())
    return x.astype(np.float32), y.astype(np.float32)


def rare_events(n: int = 1600, length: int = 32, rate: float = 0.04, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Noisy periodic signals; a rare share ``rate`` carries a short burst at a random position.

    Returns X (n, length, 1) float32 and y (n,) int64 (1 = burst).
    """
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    x = np.sin(0.3 * t[None, :] + rng.uniform(0, 2 * np.pi, (n, 1))) + 0.5 * rng.standard_normal((n, length))
    y = (rng.random(n) < rate).astype(np.int64)
    for i in np.flatnonzero(y):
        start = rng.integers(0, length - 6)
        x[i, start:start + 6] += 1.2 * np.sin(1.6 * np.arange(6))
    return x[..., None].astype(np.float32), y
