"""The bundled demo: a digits classifier set up the way people really get it wrong.

Data: scikit-learn's 8x8 handwritten digits (ships with the package, no download),
stored as 8-bit grey levels 0..255 the way a scanner writes them. The broken setup feeds
the raw bytes, ends the network with a Softmax before CrossEntropyLoss and trains with
plain SGD; the healthy one drops the constant pixels, standardises with training statistics,
returns logits and uses Adam. Both are ordinary user code: read this file as the example of a setup.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .setup import Setup


def digits_as_bytes(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Digits images as 0..255 grey levels with a stratified 80/20 split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    pixels = np.clip(digits.data * 16.0, 0, 255).astype(np.float32)
    return train_test_split(pixels, digits.target.astype(np.int64), test_size=0.2, random_state=seed, stratify=digits.target)


def demo_setup(healthy: bool = False, lr: float = 1e-3, width: int = 128, batch_size: int = 32, weight_decay: float = 0.0) -> Setup:
    """The broken demo setup, or with ``healthy=True`` the same task set up correctly.

    ``lr``, ``width`` (first hidden layer), ``batch_size`` and ``weight_decay`` shape the healthy
    setup; they are what ``nndoctor tune --demo`` searches (:data:`TUNE_SPACE`).
    """
    x_train, x_val, y_train, y_val = digits_as_bytes()
    torch.manual_seed(0)
    if healthy:
        informative = x_train.std(axis=0) > 0
        x_train, x_val = x_train[:, informative], x_val[:, informative]
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        x_train, x_val = (x_train - mean) / std, (x_val - mean) / std
        features = x_train.shape[1]
        model = nn.Sequential(nn.Linear(features, width), nn.ReLU(), nn.Linear(width, 64), nn.ReLU(), nn.Linear(64, 10))
        optimizer = lambda params: torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)  # noqa: E731
    else:
        model = nn.Sequential(
            nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10), nn.Softmax(dim=1)
        )
        optimizer = lambda params: torch.optim.SGD(params, lr=0.1)  # noqa: E731
    return Setup(
        model=model,
        train=(x_train, y_train),
        val=(x_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=optimizer,
        batch_size=batch_size if healthy else 32,
        name="digits-mlp" + ("" if healthy else " (broken)"),
    )


# The demo's search space for `nndoctor tune --demo` (ranges are tuples, choices lists): the LR range
# includes rates at which Adam diverges, so the doctor has trials to prune.
TUNE_SPACE = {"lr": (1e-4, 3.0, "log"), "width": [32, 64, 128], "batch_size": [16, 32, 64], "weight_decay": (1e-6, 1e-2, "log")}
TUNE_STEPS = 200


def tune_setup(**params: float) -> Setup:
    """The healthy demo built from one trial's parameters."""
    return demo_setup(healthy=True, **params)  # type: ignore[arg-type]
