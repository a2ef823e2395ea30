"""Dawn-chorus survey: which of 32 songbird species sang a detected phrase, from the
recorder's per-phrase summary (32 log mel-band energies + 6 phrase-shape measurements)."""
import numpy as np
import torch
from torch import nn

import nndoctor

N_SPECIES = 32
N_BANDS = 32
EMB = 64


def synth_phrases(n_per, seed=3):
    rng = np.random.default_rng(seed)
    bands = np.arange(N_BANDS)
    X, y = [], []
    for s in range(N_SPECIES):
        peak = rng.uniform(6, 28)
        width = rng.uniform(1.5, 4.0)
        harm = rng.uniform(0.0, 0.6)
        shape_mu = rng.normal(0, 1, 6)
        for _ in range(n_per):
            p = peak + rng.normal(0, 1.2)
            w = width * np.exp(rng.normal(0, 0.15))
            spec = np.exp(-0.5 * ((bands - p) / w) ** 2) + harm * np.exp(-0.5 * ((bands - 1.6 * p) / w) ** 2)
            loud = rng.normal(0, 0.6)          # distance to the recorder
            logmel = np.log(spec + 0.02) + loud + rng.normal(0, 0.35, N_BANDS)
            shape = shape_mu + rng.normal(0, 0.9, 6)   # rate, duration, trill depth, ...
            X.append(np.concatenate([logmel, shape]))
            y.append(s)
    X, y = np.array(X, np.float32), np.array(y, np.int64)
    perm = rng.permutation(len(y))
    return X[perm], y[perm]


class PhraseClassifier(nn.Module):
    def __init__(self, d_in, n_cls):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(d_in, 128), nn.ReLU(),
            nn.Linear(128, EMB), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Linear(EMB, 64), nn.ReLU(), nn.Linear(64, n_cls))

    def forward(self, x):
        return self.head(self.encoder(x))


def setup():
    torch.manual_seed(0)
    X, y = synth_phrases(100)
    n_tr = int(0.8 * len(y))
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd
    return nndoctor.Setup(
        model=PhraseClassifier(X.shape[1], N_SPECIES),
        train=(torch.tensor(X[:n_tr]), torch.tensor(y[:n_tr])),
        val=(torch.tensor(X[n_tr:]), torch.tensor(y[n_tr:])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
