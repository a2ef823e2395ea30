"""Canal visitor moorings: how long will a boat stay? (checkup spec)

A canal trust's patrol log records each boat arriving at a visitor mooring:
boat type, mooring site, month, and a few numbers (boat length, crew size,
days since the last pump-out, water tank level). Stay class: 0 up to one
night, 1 two to seven nights, 2 overstay (more than the 7-day limit).
Categoricals are one-hot and left as 0/1 (most of the input is zeros), only
the four numbers are standardised. Label smoothing 0.1 and AdamW with a
one-cycle schedule stepped per batch.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_TYPES, N_SITES, N_MONTHS = 5, 24, 12


def patrol_log(n, rng):
    btype = rng.choice(N_TYPES, n, p=[0.55, 0.15, 0.2, 0.03, 0.07])   # narrowboat, widebeam, cruiser, butty, hotel
    site = rng.integers(0, N_SITES, n)
    month = rng.integers(0, N_MONTHS, n)
    length_ft = np.where(btype == 2, rng.normal(28, 5, n), rng.normal(57, 8, n))
    crew = rng.integers(1, 7, n)
    pumpout_days = rng.exponential(9, n)
    tank = rng.uniform(0, 1, n)
    site_pull = rng.normal(0, 0.9, N_SITES)[site]                      # near pubs, towns, locks
    summer = np.isin(month, [5, 6, 7]).astype(float)
    score = (site_pull + 0.8 * (btype == 0) - 0.9 * (btype == 2) - 1.3 * (btype == 4)
             - 0.45 * crew * (btype == 2) + 0.6 * (1 - summer) - 0.05 * pumpout_days + 0.6 * tank
             + 2.0 * (btype == 0) * (1 - summer) * (site_pull > 0.3)            # winter continuous cruisers in towns
             - 0.08 * np.maximum(length_ft - 62, 0) * (site_pull > 0.3)          # long boats leave busy sites
             + rng.logistic(0, 0.3, n))
    stay = np.digitize(score, [-0.6, 0.9])
    cont = np.column_stack([length_ft, crew, pumpout_days, tank])
    return btype, site, month, cont, stay


def setup():
    rng = np.random.default_rng(77)
    torch.manual_seed(77)
    btype, site, month, cont, y = patrol_log(5000, rng)
    tr, va = slice(0, 4000), slice(4000, None)
    cont = (cont - cont[tr].mean(0)) / cont[tr].std(0)
    X = np.concatenate([np.eye(N_TYPES)[btype], np.eye(N_SITES)[site], np.eye(N_MONTHS)[month], cont], 1)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y)

    model = nn.Sequential(nn.Linear(X.shape[1], 48), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(48, 32), nn.ReLU(), nn.Linear(32, 3))
    return nndoctor.Setup(
        model=model,
        train=(X[tr], y[tr]),
        val=(X[va], y[va]),
        loss=nn.CrossEntropyLoss(label_smoothing=0.1),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        scheduler=lambda opt, steps: torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=4e-3, total_steps=steps),
        batch_size=64,
        name="canal-mooring-stay",
    )
