"""Cell viability after 72 h drug exposure, from compound descriptors, cell-line features and dose.

Screening-assay surrogate: predicts % viability for (compound, cell line, log10 dose) triples so
the wet lab can prioritise which plates to run. Checkup spec.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def screen(n_comp=120, n_cell=40, seed=5):
    rng = np.random.default_rng(seed)
    comp = rng.normal(size=(n_comp, 8))            # logP, TPSA, MW, HBD, ... (standardised)
    cell = rng.normal(size=(n_cell, 6))            # doubling time, expression scores, ...
    w_c, w_l = rng.normal(size=(8, 3)), rng.normal(size=(6, 3))
    rows = []
    for c in range(n_comp):
        for l in rng.choice(n_cell, 14, replace=False):
            a = np.tanh(comp[c] @ w_c / 3)
            b = np.tanh(cell[l] @ w_l / 3)
            log_ec50 = -6.0 + 1.2 * a[0] + 0.9 * b[0] + 0.8 * a[1] * b[1]
            hill = 1.0 + 0.6 * (1 + np.tanh(a[2] + b[2]))
            bottom = 5 + 40 * (1 / (1 + np.exp(-2 * (a[1] - b[2]))))
            for log_dose in np.linspace(-9, -4, 9):
                v = bottom + (100 - bottom) / (1 + 10 ** (hill * (log_dose - log_ec50)))
                rows.append((c, l, log_dose, v + rng.normal(0, 3)))
    rows = np.array(rows)
    ci, li = rows[:, 0].astype(int), rows[:, 1].astype(int)
    X = np.column_stack([comp[ci], cell[li], (rows[:, 2] + 6.5) / 1.6]).astype(np.float32)
    return X, rows[:, 3].astype(np.float32), ci


def setup():
    torch.manual_seed(3)
    X, v, compound = screen()
    train_mask = compound < 96                       # hold out whole compounds
    y = ((v - 60.0) / 30.0)[:, None]                 # % viability, centred and scaled
    Xt, yt = torch.tensor(X), torch.tensor(y)
    tr, va = torch.tensor(train_mask), torch.tensor(~train_mask)

    drop = 0.1
    model = nn.Sequential(
        nn.Linear(X.shape[1], 128), nn.SiLU(), nn.Dropout(drop),
        nn.Linear(128, 128), nn.SiLU(), nn.Dropout(drop),
        nn.Linear(128, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(Xt[tr], yt[tr]),
        val=(Xt[va], yt[va]),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=128,
    )
