"""Generated data sets shared by the benchmark cases.

Only data generation lives here: every case does its own preprocessing, model, loss and
optimizer, so nothing in this module says what a case gets right or wrong. Tabular and
image data come straight from scikit-learn in the cases themselves.
"""
from __future__ import annotations

import numpy as np


def wave_sequences(n: int = 800, length: int = 24, classes: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Noisy sine waves whose frequency band is the class: X (n, length, 1) float32, y (n,) int64."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, size=n)
    t = np.arange(length, dtype=np.float64)
    freq = 0.15 + 0.12 * y[:, None] + rng.uniform(-0.03, 0.03, size=(n, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    x = np.sin(freq * t[None, :] + phase) + 0.3 * rng.standard_normal((n, length))
    return x[..., None].astype(np.float32), y.astype(np.int64)


def sensor_sequences(n: int = 800, length: int = 20, features: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Multichannel random-walk readings; the target is a weighted sum of the last readings.

    Returns X (n, length, features) and y (n,) float32, both roughly zero-mean and unit-scale.
    """
    rng = np.random.default_rng(seed)
    steps = 0.3 * rng.standard_normal((n, length, features))
    x = np.cumsum(steps, axis=1)
    weights = np.linspace(1.0, -0.5, features)
    recent = x[:, -5:, :].mean(axis=1)
    y = recent @ weights + 0.5 * np.sin(x[:, -1, 0] * 2.0) + 0.1 * rng.standard_normal(n)
    y = (y - y.mean()) / y.std()
    return x.astype(np.float32), y.astype(np.float32)


def token_sequences(n: int = 1000, length: int = 12, vocab: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Token sequences labelled by which of three marker tokens occurs most often.

    Returns X (n, length) int64 token ids and y (n,) int64 in {0, 1, 2}.
    """
    rng = np.random.default_rng(seed)
    x = rng.integers(3, vocab, size=(n, length))
    y = rng.integers(0, 3, size=n)
    for i in range(n):
        positions = rng.choice(length, size=4, replace=False)
        x[i, positions[:3]] = y[i]
        x[i, positions[3]] = rng.integers(0, 3)
    return x.astype(np.int64), y.astype(np.int64)
