"""Mountain-hut bookings: will a confirmed booking turn into a no-show?

Rows come from the booking system export of a hut association (16 huts). The
model scores each booking the evening before arrival so the warden can release
beds to the waiting list.
"""
import numpy as np
import torch
from torch import nn
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler
import nndoctor

N_HUTS = 16
CAT = [0, 1]            # hut_id, arrival weekday
NUM = [2, 3, 4, 5, 6]   # lead days (log), forecast precip, deposit share, altitude, wind


def make_bookings(n, rng):
    hut = rng.integers(0, N_HUTS, n)
    weekday = rng.integers(0, 7, n)
    hut_base = np.random.default_rng(7).normal(0.0, 1.8, N_HUTS)
    hut_exposed = np.random.default_rng(8).normal(0.0, 1.0, N_HUTS)
    day_eff = np.array([0.5, 0.6, 0.4, 0.2, -0.5, -1.1, -0.8])
    lead = np.log1p(rng.gamma(1.5, 20.0, n))
    precip = rng.gamma(0.8, 6.0, n)
    deposit = rng.beta(2, 2, n)
    altitude = 1800 + 900 * rng.random(n) + 40 * hut
    wind = rng.gamma(2.0, 12.0, n)
    z_precip = (precip - 4.8) / 5.4
    logit = (hut_base[hut] + day_eff[weekday] + hut_exposed[hut] * z_precip
             + 0.7 * (lead - 3.2) - 1.6 * (deposit - 0.5)
             + 0.25 * (wind - 24) / 17 - 0.3)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    X = np.column_stack([hut, weekday, lead, precip, deposit, altitude, wind]).astype(np.float64)
    return X, y


def setup():
    rng = np.random.default_rng(29)
    X, y = make_bookings(5000, rng)
    X_tr, X_va, y_tr, y_va = X[:4000], X[4000:], y[:4000], y[4000:]
    prep = ColumnTransformer([
        ("cat", OneHotEncoder(sparse_output=False), CAT),
        ("num", StandardScaler(), NUM),
    ])
    X_tr = prep.fit_transform(X_tr).astype(np.float32)
    X_va = prep.transform(X_va).astype(np.float32)

    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(X_tr.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr).unsqueeze(1)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va).unsqueeze(1)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3, weight_decay=1e-4),
        batch_size=64,
    )
