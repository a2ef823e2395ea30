"""Philately: attribute a 19th-century line-engraved stamp to its printing plate.

A dealer's reference collection of 1,100 catalogued copies: perforation gauge per side,
centring offsets, ink colour (spectrophotometer L*a*b* and 6 reflectance bands), paper
thickness and the check-letter engraving offsets. Eight plates; the model pre-sorts
incoming lots before an expert plates them by hand.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_PLATES = 8


def reference_collection(seed=21):
    rng = np.random.default_rng(seed)
    n = 1100
    plate = rng.integers(0, N_PLATES, n)
    bits = (plate[:, None] >> np.arange(3)) & 1                    # plate's perforator settings
    comb = np.stack([bits[:, 0], bits[:, 0] ^ bits[:, 1], bits[:, 1] ^ bits[:, 2], bits[:, 2]], 1)
    perf = 14.0 + 0.25 * comb + rng.normal(0, 0.08, (n, 4))
    centring = rng.normal(0, 0.35, (n, 2)) + 0.12 * np.stack([np.cos(plate), np.sin(plate)], 1)
    ink_centre = rng.normal(0, 1, (N_PLATES, 9))
    ink = 0.2 * ink_centre[plate] + rng.normal(0, 1.0, (n, 9))
    paper = rng.normal(0.09, 0.008, (n, 1)) + 0.004 * (plate[:, None] >= 5)
    letters = 0.6 * rng.normal(0, 1, (N_PLATES, 4))[plate] + rng.normal(0, 1.0, (n, 4))
    X = np.hstack([perf, centring, ink, paper, letters]).astype(np.float32)
    return X, plate.astype(np.int64)


def setup():
    torch.manual_seed(21)
    X, y = reference_collection()
    Xtr, ytr, Xva, yva = X[:700], y[:700], X[700:], y[700:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    model = nn.Sequential(
        nn.Linear(X.shape[1], 96), nn.ReLU(),
        nn.Dropout(0.1),
        nn.Linear(96, 48), nn.ReLU(),
        nn.Linear(48, N_PLATES),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(Xtr), torch.tensor(ytr)),
        val=(torch.tensor(Xva), torch.tensor(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=350,
    )
