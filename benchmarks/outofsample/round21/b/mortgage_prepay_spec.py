"""Checkup spec: 12-month prepayment on agency mortgage pools.

One row per loan at the observation date. Target: the loan prepaid in full
within the next 12 months. Inputs: loan age, rate incentive (note rate minus
the current market rate), LTV, FICO, balance, the MSA the property sits in
(CBSA code), origination channel and occupancy.
"""
import numpy as np
import torch
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from torch import nn

import nndoctor

COLUMNS = ["loan_age_m", "rate_incentive", "ltv", "fico", "balance_k", "cbsa", "channel", "occupancy"]
NUMERIC = ["loan_age_m", "rate_incentive", "ltv", "fico", "balance_k", "cbsa"]
CATEGORICAL = ["channel", "occupancy"]


def load_loans(n, seed):
    rng = np.random.default_rng(seed)
    cbsa_codes = np.sort(np.random.default_rng(100).choice(np.arange(10180, 49740, 20), 40, replace=False))
    msa_effect = np.random.default_rng(101).normal(0, 1.0, 40)
    age = rng.gamma(2.5, 14, n)
    incentive = rng.normal(0.2, 0.9, n)
    ltv = np.clip(rng.normal(74, 12, n), 20, 97)
    fico = np.clip(rng.normal(735, 45, n), 580, 840)
    balance = rng.lognormal(5.5, 0.45, n)
    msa = rng.integers(0, 40, n)
    channel = rng.choice(3, n, p=[0.55, 0.3, 0.15])
    occupancy = rng.choice(3, n, p=[0.85, 0.05, 0.10])
    logit = (-1.4 + 1.5 * np.tanh(1.3 * incentive) + 0.5 * np.exp(-((age - 30) / 25) ** 2)
             - 0.015 * (ltv - 74) + 0.006 * (fico - 735) + 0.25 * np.log(balance / 250)
             + msa_effect[msa] + np.array([0.0, 0.35, -0.2])[channel] + np.array([0.0, -0.5, -0.3])[occupancy])
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    X = np.column_stack([age, incentive, ltv, fico, balance, cbsa_codes[msa], channel, occupancy])
    return X, y


def setup():
    torch.manual_seed(0)
    X_tr, y_tr = load_loans(10000, seed=1)
    X_va, y_va = load_loans(1500, seed=2)
    prep = ColumnTransformer([
        ("num", StandardScaler(), [COLUMNS.index(c) for c in NUMERIC]),
        ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), [COLUMNS.index(c) for c in CATEGORICAL]),
    ])
    Z_tr = torch.tensor(prep.fit_transform(X_tr), dtype=torch.float32)
    Z_va = torch.tensor(prep.transform(X_va), dtype=torch.float32)
    model = nn.Sequential(
        nn.Linear(Z_tr.shape[1], 64), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 1),
    )
    return nndoctor.Setup(
        model=model,
        train=(Z_tr, torch.from_numpy(y_tr).unsqueeze(1)),
        val=(Z_va, torch.from_numpy(y_va).unsqueeze(1)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05),
        batch_size=128,
    )
