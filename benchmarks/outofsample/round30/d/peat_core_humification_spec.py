"""Peat bog coring: humification class of 5 cm core slices (von Post H1-H10 grouped into
four stages) from lab measurements: bulk density, ash, C/N, loss on ignition, colour
(L*a*b*), fibre content, pH, a handful of mid-IR band ratios and the slice depth.
"""
import numpy as np
import torch
from torch import nn
import nndoctor
from sklearn.model_selection import train_test_split

rng = np.random.default_rng(5)
N = 1600
depth = rng.uniform(0, 4.0, N)                        # m below surface
stage_latent = 0.8 * depth + rng.normal(0, 0.7, N)
bulk = 0.06 + 0.035 * stage_latent + rng.normal(0, 0.02, N)
ash = np.abs(2.5 + 0.6 * stage_latent + rng.normal(0, 1.2, N))
cn = 55 - 6 * stage_latent + rng.normal(0, 6, N)
loi = 97 - ash + rng.normal(0, 0.6, N)
L = 45 - 5 * stage_latent + rng.normal(0, 4, N)
a = 4 + 1.2 * stage_latent + rng.normal(0, 1.5, N)
b = 18 - 2.5 * stage_latent + rng.normal(0, 3, N)
fibre = np.clip(80 - 14 * stage_latent + rng.normal(0, 10, N), 0, 100)
ph = 3.8 + 0.15 * stage_latent + rng.normal(0, 0.25, N)
bands = np.column_stack([0.9 + 0.05 * stage_latent * w + rng.normal(0, 0.08, N)
                         for w in (1.0, -0.6, 0.3, 0.8, -1.1, 0.1)])
X = np.column_stack([depth, bulk, ash, cn, loi, L, a, b, fibre, ph, bands]).astype(np.float32)
y = np.digitize(stage_latent, [0.9, 1.9, 2.9]).astype(np.int64)


def load_split(which, seed):
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.2, stratify=y, random_state=seed)
    return (Xa, ya) if which == "train" else (Xb, yb)


def setup():
    torch.manual_seed(5)
    Xtr, ytr = load_split("train", seed=0)
    Xva, yva = load_split("val", seed=1)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 128), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(128, 128), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(128, 4),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy((Xtr - mu) / sd), torch.from_numpy(ytr)),
        val=(torch.from_numpy((Xva - mu) / sd), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=5e-4, weight_decay=0.05),
        batch_size=32,
    )
