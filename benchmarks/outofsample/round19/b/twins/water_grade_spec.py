"""Drinking-water sample grading (safe / marginal / unsafe) from 12 chemistry and microbiology readings.

Samples come from two sources: the municipal lab network and the field test kits used by rural
operators. Both report the same panel; the grade is the hygienist's verdict on each sample.
"""
import numpy as np
import torch
from sklearn.preprocessing import LabelEncoder
from torch import nn

import nndoctor

GRADES = ["safe", "marginal", "unsafe"]
FEATURES = ["ph", "turbidity_ntu", "conductivity", "dissolved_o2", "nitrate", "phosphate",
            "log_ecoli", "temp_c", "free_chlorine", "hardness", "toc", "ammonia"]


def _panel(rng, n):
    ph = rng.normal(7.3, 0.5, n)
    turb = rng.lognormal(0.0, 0.8, n)
    cond = rng.normal(450, 120, n)
    do = rng.normal(8.0, 1.5, n)
    nitrate = rng.lognormal(1.2, 0.6, n)
    phos = rng.lognormal(-2.0, 0.7, n)
    ecoli = rng.exponential(0.8, n)
    temp = rng.normal(14, 5, n)
    chlorine = np.clip(rng.normal(0.6, 0.35, n), 0, None)
    hard = rng.normal(180, 60, n)
    toc = rng.lognormal(0.8, 0.5, n)
    nh3 = rng.lognormal(-2.5, 0.8, n)
    X = np.stack([ph, turb, cond, do, nitrate, phos, ecoli, temp, chlorine, hard, toc, nh3], axis=1)
    risk = (1.4 * ecoli * (chlorine < 0.3) + 0.5 * ecoli + 0.6 * np.log(turb + 0.1) + 0.08 * (nitrate - 4)
            + 1.2 * np.abs(ph - 7.3) - 0.3 * (do - 8.0) + 0.4 * np.log(nh3 / 0.08) + 0.3 * np.log(toc / 2.2)
            + rng.normal(0, 0.15, n))
    grades = np.where(risk < 0.55, "safe", np.where(risk < 1.6, "marginal", "unsafe"))
    return X, grades


def load_lab_network(rng, n):
    X, grades = _panel(rng, n)
    return X, np.array([GRADES.index(g) for g in grades])


def load_field_kits(rng, n):
    X, grades = _panel(rng, n)
    X = X * rng.normal(1.0, 0.03, size=X.shape)
    return X, np.array([GRADES.index(g) for g in grades])


def setup():
    rng = np.random.default_rng(42)
    torch.manual_seed(42)
    Xa, ya = load_lab_network(rng, 1800)
    Xb, yb = load_field_kits(rng, 1200)
    X = np.concatenate([Xa, Xb]).astype(np.float32)
    y = np.concatenate([ya, yb]).astype(np.int64)
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    n_tr = 2400
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd
    model = nn.Sequential(
        nn.Linear(len(FEATURES), 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, len(GRADES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])),
        val=(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3, weight_decay=1e-4),
        batch_size=64,
    )
