"""Checkup spec: 30-day hospital readmission from discharge records (binary, ~40% positive).

Continuous vitals/labs are standardised with training statistics; yes/no flags and the
one-hot admission type are left as 0/1; the output bias starts at the training log-odds.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

ADMISSION_TYPES = ["emergency", "urgent", "elective", "transfer", "newborn"]


def discharges(n, seed=17):
    rng = np.random.default_rng(seed)
    age = np.clip(rng.normal(64, 16, n), 18, 100)
    los = rng.gamma(2.0, 2.5, n)                                  # length of stay, days
    n_meds = rng.poisson(9, n)
    creat = rng.lognormal(0, 0.35, n)                             # creatinine mg/dL
    hba1c = np.clip(rng.normal(6.4, 1.1, n), 4, 14)
    prior_adm = rng.poisson(0.8, n)
    diabetic = (hba1c > 6.5).astype(float) * (rng.random(n) < 0.9)
    lives_alone = (rng.random(n) < 0.3).astype(float)
    adm = rng.choice(5, n, p=[0.5, 0.2, 0.2, 0.08, 0.02])
    logit = (-1.4 + 0.02 * (age - 64) + 0.0012 * (age - 64) ** 2 + 0.09 * (los - 5)
             + 1.1 * (los > 7) * lives_alone + 0.6 * np.tanh(2 * (hba1c - 8)) * (n_meds > 10)
             + 0.05 * (n_meds - 9) + 0.9 * np.log(creat)
             + 0.45 * prior_adm + 0.35 * diabetic + 0.4 * lives_alone
             + np.array([0.3, 0.1, -0.6, 0.5, -1.0])[adm])
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    cont = np.column_stack([age, los, n_meds, creat, hba1c, prior_adm])
    flags = np.column_stack([diabetic, lives_alone, np.eye(5)[adm]])
    return cont.astype(np.float32), flags.astype(np.float32), y


def setup():
    torch.manual_seed(1)
    cont, flags, y = discharges(4000)
    n_tr = 3200
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    X = torch.from_numpy(np.column_stack([(cont - mu) / sd, flags]).astype(np.float32))
    y = torch.from_numpy(y).unsqueeze(1)
    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.SiLU(), nn.Dropout(0.2),
                          nn.Linear(64, 32), nn.SiLU(), nn.Linear(32, 1))
    prior = y[:n_tr].mean().item()
    with torch.no_grad():
        model[-1].bias.fill_(float(np.log(prior / (1 - prior))))
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=64,
    )
