"""Checkup spec: oyster-bed condition class from a reef survey (shellfish restoration programme).

Four ordered-but-treated-as-nominal condition classes from the dive/dredge survey of each
bed: thriving, stable, declining, collapsed. Collapsed beds are rare (~6%), so the loss is
class-weighted (inverse-frequency, square-rooted) and the output bias starts at the log
class prior. Counts are log1p-transformed, continuous columns standardised with training
statistics, the substrate one-hot. MLP with BatchNorm and dropout, AdamW.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def _survey(seed=31, n=2400):
    rng = np.random.default_rng(seed)
    temp = rng.normal(22, 4, n)
    salinity = rng.normal(18, 6, n).clip(2, 35)
    oxygen = rng.normal(6.5, 1.5, n).clip(0.5, None)
    turbidity = rng.lognormal(2.2, 0.6, n)
    chl = rng.lognormal(2.0, 0.5, n)
    spat = rng.negative_binomial(3, 0.05, n)           # spat per m2 (counts)
    dermo = rng.beta(1.5, 6, n)                          # disease prevalence
    depth = rng.uniform(0.5, 6, n)
    harvest = rng.gamma(1.5, 1.0, n)
    substrate = rng.choice(4, n, p=[0.45, 0.25, 0.2, 0.1])   # shell, sand, mud, concrete
    score = (0.9 * np.log1p(spat) - 5.0 * dermo - 0.15 * np.abs(salinity - 16) + 0.5 * (oxygen - 6.5)
             - 0.35 * harvest - 0.4 * np.log(turbidity) + np.array([0.8, 0.0, -0.6, 0.5])[substrate]
             - 0.05 * np.abs(temp - 23) + rng.normal(0, 0.5, n))
    cuts = np.quantile(score, [0.06, 0.30, 0.72])
    y = 3 - np.searchsorted(cuts, score)                  # 0 thriving ... 3 collapsed
    num = np.stack([temp, salinity, oxygen, np.log(turbidity), np.log(chl), np.log1p(spat), dermo, depth,
                    harvest], 1)
    return num.astype(np.float32), np.eye(4, dtype=np.float32)[substrate], y.astype(np.int64)


def setup():
    torch.manual_seed(31)
    num, sub, y = _survey()
    n_tr = 1900
    mu, sd = num[:n_tr].mean(0), num[:n_tr].std(0)
    X = torch.from_numpy(np.concatenate([(num - mu) / sd, sub], 1))
    y = torch.from_numpy(y)
    Xtr, ytr, Xva, yva = X[:n_tr], y[:n_tr], X[n_tr:], y[n_tr:]

    counts = torch.bincount(ytr, minlength=4).float()
    prior = counts / counts.sum()
    weights = (1.0 / prior).sqrt()
    weights = weights / weights.mean()

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 4),
    )
    with torch.no_grad():
        model[-1].bias.copy_(prior.log())

    return nndoctor.Setup(
        model=model,
        train=(Xtr, ytr),
        val=(Xva, yva),
        loss=nn.CrossEntropyLoss(weight=weights),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        batch_size=64,
    )
