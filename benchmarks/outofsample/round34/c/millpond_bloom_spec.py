"""Mill-pond survey: forecast next week's algal bloom level (none / watch / bloom).

Each row is one weekly visit to one of 14 heritage mill ponds: water temperature, depth
at the sluice, phosphate, nitrate, inflow rate, sunshine hours, plus the pond, its
inflow type (stream / leat / spring / field drain) and the month. Categoricals are
one-hot (left as 0/1, not standardised); continuous columns are standardised with
training statistics. Label smoothing because the "watch" level is a judgement call.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

LEVELS = ["none", "watch", "bloom"]
N_PONDS, N_INFLOW = 14, 4


def visits(n, rng):
    pond = rng.integers(0, N_PONDS, n)
    pond_inflow = rng.integers(0, N_INFLOW, N_PONDS)
    pond_eutro = rng.normal(0, 0.8, N_PONDS)
    inflow = pond_inflow[pond]
    month = rng.integers(0, 12, n)
    season = np.sin(2 * np.pi * (month - 3) / 12)
    temp = 11 + 7 * season + rng.normal(0, 2.0, n)
    depth = rng.uniform(0.6, 2.4, n)
    phos = np.exp(rng.normal(-2.5 + 0.4 * pond_eutro[pond] + 0.3 * (inflow == 3), 0.5, n))
    nitr = np.exp(rng.normal(0.5 + 0.5 * (inflow == 3), 0.4, n))
    flow = np.exp(rng.normal(-1 + 0.8 * (inflow == 2) - 0.4 * season, 0.5, n))
    sun = np.clip(5 + 3 * season + rng.normal(0, 2, n), 0, None)
    risk = (1.2 * np.tanh((temp - 14) / 3) * (1 + np.log(phos / 0.08))
            - 1.4 * np.log1p(3 * flow) + 0.12 * sun - 0.5 * depth
            + 0.4 * np.log(nitr) + 0.6 * pond_eutro[pond] + rng.normal(0, 0.45, n))
    level = np.digitize(risk, np.quantile(risk, [0.55, 0.8]))
    cont = np.stack([temp, depth, phos, nitr, flow, sun], 1)
    onehot = np.concatenate([np.eye(N_PONDS)[pond], np.eye(N_INFLOW)[inflow], np.eye(12)[month]], 1)
    return cont, onehot, level


def setup():
    torch.manual_seed(17)
    rng = np.random.default_rng(17)
    cont, onehot, y = visits(4000, rng)
    n_tr = 3200
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    X = np.concatenate([(cont - mu) / sd, onehot], 1).astype(np.float32)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 96), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(96, 48), nn.ReLU(),
        nn.Linear(48, len(LEVELS)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X[:n_tr]), torch.tensor(y[:n_tr])),
        val=(torch.tensor(X[n_tr:]), torch.tensor(y[n_tr:])),
        loss=nn.CrossEntropyLoss(label_smoothing=0.1),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=32,
    )
