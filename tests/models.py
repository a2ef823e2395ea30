"""Small seeded datasets, healthy models of several kinds, and a direct way to run chosen checks."""
from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn

import nndoctor
from nndoctor.checks.base import Context, registered_checks
from nndoctor.findings import Finding
from nndoctor.rng import seed_everything


def examine(setup: nndoctor.Setup, *codes: str, budget: float = 60.0) -> list[Finding]:
    """Run the registered checks for ``codes`` on ``setup`` the way the runner does (seeded, shared probes)."""
    setup.resolve()
    ctx = Context(setup=setup, deadline=time.perf_counter() + budget)
    found: list[Finding] = []
    for chk in registered_checks():
        if set(chk.codes) & set(codes):
            seed_everything(setup.seed)
            found.extend(f for f in chk.run(ctx) or [] if f.code in codes)
    return found


def fired(setup: nndoctor.Setup, *codes: str) -> set[str]:
    return {f.code for f in examine(setup, *codes)}


# -- data -------------------------------------------------------------------------------
def tabular(n: int = 400, features: int = 10, classes: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A learnable, standardised multi-class tabular problem."""
    from sklearn.datasets import make_classification

    x, y = make_classification(
        n_samples=n, n_features=features, n_informative=6, n_redundant=0, n_classes=classes,
        n_clusters_per_class=1, class_sep=1.5, random_state=seed,
    )
    return ((x - x.mean(0)) / x.std(0)).astype(np.float32), y.astype(np.int64)


def regression(n: int = 400, features: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Standardised inputs and targets of a noisy linear problem; targets shaped (n, 1)."""
    from sklearn.datasets import make_regression

    x, y = make_regression(n_samples=n, n_features=features, noise=5.0, random_state=seed)
    x = (x - x.mean(0)) / x.std(0)
    y = (y - y.mean()) / y.std()
    return x.astype(np.float32), y.reshape(-1, 1).astype(np.float32)


def digit_images(n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """sklearn digits as (n, 1, 8, 8) images standardised with the global pixel mean/std."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = digits.images[:n].astype(np.float32)
    x = (x - x.mean()) / x.std()
    return x[:, None], digits.target[:n].astype(np.int64)


def sequences(n: int = 300, steps: int = 10, features: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random sequences labelled by which feature has the largest sum over time (3 classes)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, steps, features)).astype(np.float32)
    return x, x.sum(axis=1).argmax(axis=1).astype(np.int64)


# -- models -----------------------------------------------------------------------------
def mlp(inputs: int, outputs: int, hidden: int = 32, depth: int = 2, activation: type = nn.ReLU,
        final: nn.Module | None = None, seed: int = 0) -> nn.Sequential:
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    width = inputs
    for _ in range(depth):
        layers += [nn.Linear(width, hidden), activation()]
        width = hidden
    layers.append(nn.Linear(width, outputs))
    if final is not None:
        layers.append(final)
    return nn.Sequential(*layers)


def cnn(classes: int = 10, seed: int = 0) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.Flatten(), nn.Linear(16 * 4 * 4, classes),
    )


class GRUClassifier(nn.Module):
    def __init__(self, features: int = 3, hidden: int = 16, classes: int = 3) -> None:
        super().__init__()
        self.gru = nn.GRU(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        states, _ = self.gru(x)
        return self.head(states[:, -1])


class TinyTransformer(nn.Module):
    """Input projection, one encoder layer, mean over tokens, linear head."""

    def __init__(self, features: int = 3, classes: int = 3, width: int = 16, batch_first: bool = True) -> None:
        super().__init__()
        self.embed = nn.Linear(features, width)
        self.encoder = nn.TransformerEncoderLayer(width, nhead=2, dim_feedforward=32, dropout=0.1, batch_first=batch_first)
        self.head = nn.Linear(width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(self.embed(x)).mean(dim=1))


class TokenClassifier(nn.Module):
    """Embedding of integer tokens, mean over tokens, linear head (integer inputs)."""

    def __init__(self, vocabulary: int = 20, width: int = 16, classes: int = 3) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocabulary, width)
        self.head = nn.Linear(width, classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(tokens).mean(dim=1))


def _setup(model: nn.Module, data: tuple, loss: nn.Module | None, name: str, **kw) -> nndoctor.Setup:
    x, y = data
    return nndoctor.Setup(model=model, train=(x, y), loss=loss, batch_size=32, name=name, **kw)


def healthy_setups() -> dict[str, nndoctor.Setup]:
    """One healthy setup per architecture/task; fresh objects on every call."""
    torch.manual_seed(0)
    seq = sequences()
    tokens = np.random.default_rng(0).integers(0, 20, size=(300, 7))
    token_labels = (tokens % 3 == 0).sum(1).clip(0, 2).astype(np.int64)
    return {
        "mlp-classification": _setup(mlp(10, 4), tabular(), nn.CrossEntropyLoss(), "mlp"),
        "mlp-regression": _setup(mlp(8, 1), regression(), nn.MSELoss(), "regression"),
        "cnn-digits": _setup(cnn(), digit_images(), nn.CrossEntropyLoss(), "cnn"),
        "gru": _setup(GRUClassifier(), seq, nn.CrossEntropyLoss(), "gru"),
        "transformer": _setup(TinyTransformer(), seq, nn.CrossEntropyLoss(), "transformer"),
        "tokens": _setup(TokenClassifier(), (tokens, token_labels), nn.CrossEntropyLoss(), "tokens"),
    }
