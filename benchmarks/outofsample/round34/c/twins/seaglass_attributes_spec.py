"""Sea-glass sorting bench: tag each beach-glass piece with its collector attributes.

Every piece goes under the bench camera and the gauge; we get 18 measurements
(colour, opacity, frosting, thickness, mass, edge rounding, curvature ...). Sorters
tag it with any of 14 collector attributes (bottle lip, marble, bonfire glass,
embossing, ...). Most attributes are rare, so a piece usually carries none or one.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

N_FEAT, N_TAGS = 18, 14


def make_pieces(n, rng):
    z = rng.normal(size=(n, 8))                       # latent glass properties
    mix = rng.normal(scale=0.6, size=(8, N_FEAT))
    x = np.concatenate([z[:, :8], np.tanh(z @ mix)[:, 8:]], 1) + 0.15 * rng.normal(size=(n, N_FEAT))
    # each attribute is a pocket of the property space: a piece far along one
    # direction that also sits in a band along another
    w = rng.normal(size=(N_TAGS, 8)) / np.sqrt(8)
    w2 = rng.normal(size=(N_TAGS, 8)) / np.sqrt(8)
    score = z @ w.T - 0.8 * np.abs(z @ w2.T) + 0.2 * rng.normal(size=(n, N_TAGS))
    rate = rng.uniform(0.005, 0.03, size=N_TAGS)
    thresh = np.array([np.quantile(score[:, j], 1 - rate[j]) for j in range(N_TAGS)])
    y = (score > thresh).astype(np.float32)
    return x.astype(np.float32), y


def setup():
    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    X, Y = make_pieces(6000, rng)
    mu, sd = X[:4800].mean(0), X[:4800].std(0)
    X = (X - mu) / sd
    Xtr, Ytr, Xva, Yva = X[:4800], Y[:4800], X[4800:], Y[4800:]

    model = nn.Sequential(
        nn.Linear(N_FEAT, 128), nn.ReLU(),
        nn.Linear(128, 128), nn.ReLU(),
        nn.Linear(128, N_TAGS),
    )
    with torch.no_grad():
        model[-1].bias.copy_(torch.logit(torch.tensor(Ytr.mean(0)).clamp(1e-3, 1 - 1e-3)))

    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(Xtr), torch.tensor(Ytr)),
        val=(torch.tensor(Xva), torch.tensor(Yva)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
