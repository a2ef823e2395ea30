"""Checkup spec: drinking-water sample triage (safe / treat before supply / unsafe).

Lab and field measurements from utility sampling points. Skewed concentrations (TDS,
turbidity, E. coli counts, lead) are log1p-transformed, continuous columns standardised with
training statistics, and the water-source one-hot columns are left as they are. Classes are
imbalanced (most samples are safe), so the cross-entropy carries inverse-frequency class
weights and a little label smoothing (lab calls near the limits are not crisp). SGD with
Nesterov momentum, linear warm-up then cosine decay.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

CONTINUOUS = ["ph", "hardness", "log_tds", "chloramines", "sulfate", "conductivity", "toc", "thm",
              "log_turbidity", "log_ecoli", "nitrate", "log_lead", "temp_c"]
SOURCES = ["groundwater", "surface", "reservoir"]


def simulate_samples(n, rng):
    source = rng.choice(3, n, p=[0.45, 0.35, 0.2])
    ph = rng.normal(7.4, 0.55, n) + 0.2 * (source == 0)
    hardness = rng.gamma(6, 30, n) * np.where(source == 0, 1.5, 1.0)
    tds = rng.lognormal(5.8, 0.5, n) * np.where(source == 0, 1.4, 1.0)
    chloramines = np.clip(rng.normal(2.2, 0.9, n), 0, None)
    sulfate = rng.gamma(5, 40, n)
    conductivity = 1.55 * tds + rng.normal(0, 40, n)
    toc = rng.gamma(2, 1.5, n) * np.where(source == 1, 1.8, 1.0)
    thm = np.clip(8 * toc * chloramines / 2 + rng.normal(0, 12, n), 0, None)
    turbidity = rng.lognormal(-0.3, 0.9, n) * np.where(source == 1, 2.0, 1.0)
    temp = rng.normal(14, 5, n)
    contam = 1 / (1 + np.exp(-(0.8 * np.log(turbidity) - 1.2 * chloramines + 0.12 * temp - 1.0)))
    ecoli = rng.poisson(6 * contam * (rng.random(n) < contam))
    nitrate = rng.gamma(2, 8, n) * np.where(source == 0, 1.6, 1.0)
    lead = rng.lognormal(0.5, 1.2, n) * (rng.random(n) < 0.6) * np.where(ph < 7.0, 2.5, 1.0)

    unsafe = (ecoli > 0) | (lead > 15 * rng.lognormal(0, 0.1, n)) | (nitrate > 50 * rng.lognormal(0, 0.05, n))
    treat = ((turbidity > 4 * rng.lognormal(0, 0.1, n)) | (ph < 6.5) | (ph > 8.5) | (thm > 80)
             | (chloramines < 0.2))
    y = np.where(unsafe, 2, np.where(treat, 1, 0))

    cont = np.column_stack([ph, hardness, np.log1p(tds), chloramines, sulfate, conductivity, toc, thm,
                            np.log1p(turbidity), np.log1p(ecoli), nitrate, np.log1p(lead), temp])
    onehot = np.eye(3)[source]
    return cont.astype(np.float32), onehot.astype(np.float32), y.astype(np.int64)


def setup():
    torch.manual_seed(12)
    rng = np.random.default_rng(12)
    cont, onehot, y = simulate_samples(5000, rng)
    n_tr = 4000
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    X = np.hstack([(cont - mu) / sd, onehot]).astype(np.float32)

    counts = np.bincount(y[:n_tr], minlength=3)
    weights = torch.tensor(n_tr / (3 * counts), dtype=torch.float32)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 96), nn.BatchNorm1d(96), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(96, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(64, 3),
    )

    def scheduler(opt, steps):
        warm = max(1, steps // 10)
        return torch.optim.lr_scheduler.SequentialLR(
            opt,
            [torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=warm),
             torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, steps - warm))],
            milestones=[warm])

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    return nndoctor.Setup(
        model=model,
        train=(Xt[:n_tr], yt[:n_tr]),
        val=(Xt[n_tr:], yt[n_tr:]),
        loss=nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4),
        scheduler=scheduler,
        batch_size=64,
    )
