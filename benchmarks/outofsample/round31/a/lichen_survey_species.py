"""Lichen survey: identify the species of a thallus from a field spectroradiometer
reading (36 reflectance bands, 420-980 nm) plus four spot-test colour intensities,
so that transect plots can be pre-sorted before the lichenologist checks them.

Checkup spec: nndoctor checkup lichen_survey_species.py
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SEED = 5
N_SPECIES = 18
BANDS = np.linspace(420, 980, 36)
EMBED_DIM = 3


def species_profiles(rng):
    profiles, spot = [], []
    for _ in range(N_SPECIES):
        curve = 0.15 + 0.25 / (1 + np.exp(-(BANDS - rng.uniform(650, 760)) / 25.0))
        for _ in range(3):
            c, w, a = rng.uniform(440, 960), rng.uniform(25, 80), rng.uniform(-0.08, 0.08)
            curve = curve + a * np.exp(-0.5 * ((BANDS - c) / w) ** 2)
        profiles.append(curve)
        spot.append(rng.uniform(0, 1, 4))
    return np.array(profiles), np.array(spot)


def survey(n=3600, seed=SEED):
    rng = np.random.default_rng(seed)
    profiles, spot = species_profiles(rng)
    y = rng.integers(0, N_SPECIES, n)
    moisture = rng.uniform(0.7, 1.3, (n, 1))             # wet thalli read darker
    drift = np.cumsum(rng.normal(0, 0.009, (n, len(BANDS))), axis=1)
    refl = profiles[y] * moisture + drift + rng.normal(0, 0.03, (n, len(BANDS)))
    tests = spot[y] + rng.normal(0, 0.3, (n, 4))
    X = np.concatenate([refl, tests], axis=1).astype(np.float32)
    return X, y.astype(np.int64)


class SpeciesNet(nn.Module):
    def __init__(self, d_in, n_classes):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(d_in, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, EMBED_DIM), nn.ReLU(),
        )
        self.head = nn.Linear(EMBED_DIM, n_classes)

    def forward(self, x):
        return self.head(self.encoder(x))


def setup():
    torch.manual_seed(SEED)
    X, y = survey()
    n_tr = 2800
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd
    return nndoctor.Setup(
        model=SpeciesNet(X.shape[1], N_SPECIES),
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.05),
        batch_size=64,
    )
