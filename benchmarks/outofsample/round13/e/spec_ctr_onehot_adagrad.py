"""Checkup spec: click-through prediction for a storefront's recommendation slots.

Wide one-hot design matrix (user segment x30, item category x20, slot position x8, hour x24)
kept as raw 0/1 columns, plus two standardised continuous features (item price, user tenure).
About 10% of impressions are clicked; the output bias starts at the training log-odds. Adagrad,
the usual choice for sparse CTR features, and a deliberately small network: clicks are
noisy and the signal is mostly additive, so a wider one only overfits.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SEED = 12
N_SEG, N_CAT, N_POS, N_HOUR = 30, 20, 8, 24


def load():
    rng = np.random.default_rng(SEED)
    seg_eff = rng.normal(0, 0.6, N_SEG)
    cat_eff = rng.normal(0, 0.6, N_CAT)
    affinity = rng.normal(0, 0.8, (N_SEG, 2)) @ rng.normal(0, 0.8, (2, N_CAT))
    pos_eff = -0.25 * np.arange(N_POS)
    hour_eff = 0.4 * np.sin(2 * np.pi * (np.arange(N_HOUR) - 14) / 24)

    def draw(n):
        seg = rng.integers(0, N_SEG, n)
        cat = rng.choice(N_CAT, n, p=np.linspace(2, 0.5, N_CAT) / np.linspace(2, 0.5, N_CAT).sum())
        pos = rng.integers(0, N_POS, n)
        hour = rng.integers(0, N_HOUR, n)
        price = rng.lognormal(3.0, 0.7, n)
        tenure = rng.exponential(400, n)
        logit = (-2.2 + seg_eff[seg] + cat_eff[cat] + affinity[seg, cat] + pos_eff[pos] + hour_eff[hour]
                 - 0.4 * (np.log(price) - 3.0) + 0.2 * np.log1p(tenure / 100))
        y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
        onehot = np.hstack([np.eye(N_SEG)[seg], np.eye(N_CAT)[cat], np.eye(N_POS)[pos], np.eye(N_HOUR)[hour]])
        cont = np.stack([np.log(price), np.log1p(tenure)], 1)
        return onehot, cont, y

    oh_tr, c_tr, y_tr = draw(12000)
    oh_va, c_va, y_va = draw(4000)
    mu, sd = c_tr.mean(0), c_tr.std(0)
    X_tr = np.hstack([oh_tr, (c_tr - mu) / sd]).astype(np.float32)
    X_va = np.hstack([oh_va, (c_va - mu) / sd]).astype(np.float32)
    return X_tr, y_tr, X_va, y_va


def setup():
    torch.manual_seed(SEED)
    X_tr, y_tr, X_va, y_va = load()
    model = nn.Sequential(nn.Linear(X_tr.shape[1], 16), nn.ReLU(), nn.Linear(16, 1))
    p = float(y_tr.mean())
    with torch.no_grad():
        model[-1].bias.fill_(np.log(p / (1 - p)))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)[:, None]),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)[:, None]),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adagrad(params, lr=0.02, weight_decay=1e-4),
        batch_size=128,
    )
