"""Estimate copper content (wt %) of mixed scrap bales from a handheld XRF gun's channel counts.

The yard's lab assays a bale now and then; those assays have occasional gross errors (wrong bale
tag, contaminated crucible), so the targets are heavy-tailed. Huber loss on standardised targets,
log-counts in, a deliberately small MLP, AdamW. Checkup spec.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

ELEMENTS = ["Cu", "Zn", "Sn", "Pb", "Fe", "Ni", "Al", "Cr", "Mn", "Ag"]


def load_assays(seed=8, n=2000):
    rng = np.random.default_rng(seed)
    # bale composition: brass, bronze, #2 copper wire, cupronickel, mixed with steel contamination
    kind = rng.choice(4, size=n, p=[0.35, 0.15, 0.35, 0.15])
    base = np.array([[62, 35, 0.5, 2.0, 0.3, 0.2, 0.1, 0.0, 0.0, 0.0],
                     [88, 2, 8.5, 1.0, 0.2, 0.3, 0.0, 0.0, 0.0, 0.0],
                     [96, 0.5, 0.5, 0.3, 0.5, 0.1, 1.5, 0.1, 0.0, 0.05],
                     [69, 0.5, 0.1, 0.1, 1.0, 28.0, 0.0, 0.3, 0.8, 0.0]])
    comp = base[kind] * rng.lognormal(0, 0.08, (n, len(ELEMENTS)))
    steel = rng.beta(1.2, 14, n) * 30                          # tramp steel in the bale
    comp[:, 4] += steel
    comp = 100 * comp / comp.sum(1, keepdims=True)
    cu = comp[:, 0]
    # XRF: counts ~ concentration x matrix-dependent sensitivity, with surface coating and geometry noise
    sens = np.array([1.0, 1.1, 0.6, 1.4, 0.8, 0.95, 0.05, 0.7, 0.75, 0.9])
    geom = rng.lognormal(0, 0.15, (n, 1))
    counts = rng.poisson(np.maximum(comp * sens * 400 * geom, 0.5)).astype(np.float32)
    X = np.log1p(counts)
    assay = cu + rng.standard_t(df=2.0, size=n) * 1.2
    return X.astype(np.float32), assay.astype(np.float32)


def setup():
    torch.manual_seed(4)
    X, assay = load_assays()
    n_tr = 1600
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    y_med = float(np.median(assay[:n_tr]))
    y_scale = float(np.subtract(*np.percentile(assay[:n_tr], [75, 25])) / 1.349)
    Xs = (X - mu) / sd
    ys = (assay - y_med) / y_scale
    model = nn.Sequential(nn.Linear(len(ELEMENTS), 32), nn.GELU(), nn.Linear(32, 16), nn.GELU(), nn.Linear(16, 1))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xs[:n_tr]), torch.from_numpy(ys[:n_tr]).unsqueeze(1)),
        val=(torch.from_numpy(Xs[n_tr:]), torch.from_numpy(ys[n_tr:]).unsqueeze(1)),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=1e-4),
        batch_size=64,
    )
