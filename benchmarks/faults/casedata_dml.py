"""More generated data sets for the benchmark cases: Zipfian documents, customer and house tables.

Only data generation lives here; every case does its own preprocessing, model, loss and optimizer.
"""
from __future__ import annotations

import numpy as np


def _zipf(vocab: int, exponent: float) -> np.ndarray:
    p = 1.0 / np.arange(1, vocab + 1) ** exponent
    return p / p.sum()


def topic_documents(n: int = 1600, length: int = 32, vocab: int = 3000, topics: int = 4, share: float = 0.3,
                    weights: list[float] | None = None, multilabel: bool = False, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Documents of Zipfian background words plus words from the topic's own block of the vocabulary.

    Returns X (n, length) int64 token ids and y: (n,) topic ids, or (n, topics) float32 0/1 rows when
    ``multilabel`` (each document mixes one to three topics).
    """
    rng = np.random.default_rng(seed)
    background = _zipf(vocab, 1.1)
    block = 40
    starts = vocab - block * topics + block * np.arange(topics)
    within = _zipf(block, 0.8)
    x = rng.choice(vocab, size=(n, length), p=background)
    if multilabel:
        y = np.zeros((n, topics), dtype=np.float32)
        for i in range(n):
            k = rng.integers(1, 4)
            y[i, rng.choice(topics, size=k, replace=False)] = 1
    else:
        y = rng.choice(topics, size=n, p=weights).astype(np.int64)
    for i in range(n):
        chosen = np.flatnonzero(y[i]) if multilabel else [y[i]]
        mask = rng.random(length) < share
        picks = rng.choice(chosen, size=int(mask.sum()))
        x[i, mask] = starts[picks] + rng.choice(block, size=len(picks), p=within)
    return x.astype(np.int64), y


def customers(n: int = 2000, seed: int = 0, missing: float = 0.0) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A churn table: age (years), income (dollars), tenure (months), balance, calls, region (code 0-7).

    Returns X (n, 6) float64 in raw units, y (n,) int64 churned or not, and the column names.
    ``missing`` blanks that share of the income values (NaN).
    """
    rng = np.random.default_rng(seed)
    age = rng.uniform(18, 80, n)
    income = np.exp(rng.normal(10.8, 0.5, n))
    tenure = rng.integers(1, 120, n).astype(float)
    balance = rng.gamma(2.0, 3000.0, n)
    calls = rng.poisson(3.0, n).astype(float)
    region = rng.integers(0, 8, n).astype(float)
    region_effect = np.array([1.2, -0.8, 0.3, -1.4, 1.0, -0.2, 1.5, -1.1])
    z = (-(age - 45) / 12 * 0.8 + (np.log(income) - 10.8) / 0.5 * 0.9 - (tenure - 60) / 35 * 0.7
         + (calls - 3) / 1.7 * 0.8 + region_effect[region.astype(int)] * 1.2 + ((age - 45) / 12) ** 2 * 0.6)
    y = (z + 0.6 * rng.standard_normal(n) > 0.3).astype(np.int64)
    X = np.column_stack([age, income, tenure, balance, calls, region])
    if missing:
        X[rng.random(n) < missing, 1] = np.nan
    return X, y, ["age", "income", "tenure", "balance", "calls", "region"]


def houses(n: int = 1500, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """House sales: area (m2), rooms, age (years), distance (km), neighbourhood (code 0-5); price in dollars.

    Returns X (n, 5) float64 in raw units and y (n,) float64 prices.
    """
    rng = np.random.default_rng(seed)
    area = rng.uniform(40, 250, n)
    rooms = np.clip(np.round(area / 35 + rng.normal(0, 0.8, n)), 1, 8)
    age = rng.uniform(0, 80, n)
    distance = rng.gamma(2.0, 4.0, n)
    hood = rng.integers(0, 6, n)
    hood_effect = np.array([40_000, -60_000, 120_000, -20_000, 80_000, -90_000])
    price = (150_000 + 2_200 * area + 9_000 * rooms - 900 * age - 14_000 * np.sqrt(distance) * 3
             + hood_effect[hood] + 25_000 * np.sin(area / 30) + rng.normal(0, 20_000, n))
    X = np.column_stack([area, rooms, age, distance, hood.astype(float)])
    return X, price
