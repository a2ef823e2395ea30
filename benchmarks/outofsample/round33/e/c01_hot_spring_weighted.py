"""Hot-spring water type from a field chemistry panel (checkup spec).

A geothermal survey samples springs and measures temperature, pH,
conductivity and seven ion concentrations (mg/L). Springs are typed as
0 bicarbonate (common), 1 chloride (less common), 2 acid-sulphate (rare).
Concentrations are log-normal, so they are log1p-transformed then
standardised with training statistics. The classes are imbalanced, so the
cross-entropy is weighted by inverse frequency and the output bias starts at
the log class prior.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def make_springs(n, rng):
    kind = rng.choice(3, n, p=[0.72, 0.21, 0.07])
    temp = np.where(kind == 2, rng.normal(82, 8, n), np.where(kind == 1, rng.normal(70, 12, n), rng.normal(45, 12, n)))
    ph = np.where(kind == 2, rng.normal(4.6, 1.4, n), np.where(kind == 1, rng.normal(7.4, 0.7, n), rng.normal(6.9, 0.6, n)))
    base = rng.normal(0, 0.5, n)                                   # overall mineralisation of the spring
    log_hco3 = np.where(kind == 0, 5.8, np.where(kind == 1, 5.1, 4.2)) + base + rng.normal(0, 0.8, n)
    log_cl = np.where(kind == 1, 5.6, np.where(kind == 0, 4.4, 4.0)) + base + rng.normal(0, 0.8, n)
    log_so4 = np.where(kind == 2, 5.6, np.where(kind == 1, 4.6, 4.2)) + base + rng.normal(0, 0.8, n)
    log_na = 0.6 * log_cl + 0.4 * log_hco3 + rng.normal(0, 0.4, n)
    log_ca = 3.5 + base + rng.normal(0, 0.6, n)
    log_mg = 2.2 + 0.5 * base + rng.normal(0, 0.7, n)
    log_sio2 = 4.2 + 0.012 * (temp - 60) + rng.normal(0, 0.3, n)
    conc = np.exp(np.stack([log_hco3, log_cl, log_so4, log_na, log_ca, log_mg, log_sio2], 1))
    cond = conc.sum(1) * rng.normal(1.6, 0.1, n)                    # uS/cm, roughly TDS-driven
    return np.column_stack([temp, ph, cond, conc]), kind


def setup():
    rng = np.random.default_rng(2024)
    torch.manual_seed(2024)
    X, y = make_springs(2200, rng)
    X[:, 2:] = np.log1p(X[:, 2:])                                  # conductivity and ions
    Xtr, ytr, Xva, yva = X[:1700], y[:1700], X[1700:], y[1700:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    counts = np.bincount(ytr, minlength=3)
    prior = counts / counts.sum()
    weight = torch.tensor(counts.sum() / (3 * counts), dtype=torch.float32)

    model = nn.Sequential(nn.Linear(10, 48), nn.ReLU(), nn.Linear(48, 48), nn.ReLU(), nn.Linear(48, 3))
    with torch.no_grad():
        model[-1].bias.copy_(torch.tensor(np.log(prior), dtype=torch.float32))

    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(Xtr, dtype=torch.float32), torch.tensor(ytr)),
        val=(torch.tensor(Xva, dtype=torch.float32), torch.tensor(yva)),
        loss=nn.CrossEntropyLoss(weight=weight),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3, weight_decay=1e-5),
        batch_size=32,
        name="hot-spring-water-type",
    )
