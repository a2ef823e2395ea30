"""Three interleaved spirals, classified by a deep MLP (depth as a hyperparameter)."""
import numpy as np
import torch
from torch import nn
import nndoctor

DEPTH, WIDTH = 18, 64


def spirals(n_per, rng, k=3):
    xs, ys = [], []
    for c in range(k):
        r = np.linspace(0.05, 1, n_per)
        th = np.linspace(c * 2 * np.pi / k, c * 2 * np.pi / k + 3.5, n_per) + rng.normal(0, 0.15, n_per)
        xs.append(np.stack([r * np.sin(th), r * np.cos(th)], 1))
        ys.append(np.full(n_per, c))
    return np.concatenate(xs).astype("float32") * 2, np.concatenate(ys)


def make_mlp(depth, width, n_in=2, n_out=3):
    layers, d = [], n_in
    for _ in range(depth):
        layers += [nn.Linear(d, width), nn.ReLU()]
        d = width
    layers.append(nn.Linear(d, n_out))
    return nn.Sequential(*layers)


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = spirals(400, rng)
    perm = rng.permutation(len(y))
    X, y = torch.tensor(X[perm]), torch.tensor(y[perm])
    return nndoctor.Setup(
        model=make_mlp(DEPTH, WIDTH),
        train=(X[:960], y[:960]),
        val=(X[960:], y[960:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
        batch_size=32,
    )
