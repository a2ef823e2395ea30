"""Checkup spec: telecom churn from a customer table (simulated CRM export).

Columns: tenure (months), monthly charges, support calls in the last quarter, plan id,
region id, payment method id. Target: churned within 90 days.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def setup():
    torch.manual_seed(9)
    rng = np.random.default_rng(9)
    n = 4000
    plan = rng.integers(0, 6, n)
    region = rng.integers(0, 12, n)
    payment = rng.integers(0, 4, n)
    tenure = rng.gamma(2.0, 14.0, n)
    charges = 20 + 15 * plan + rng.normal(0, 8, n)
    calls = rng.poisson(0.8 + 0.3 * (plan == 4), n)

    plan_eff = np.array([0.2, -0.9, 1.1, -0.4, 1.3, -1.2])
    region_eff = rng.normal(0, 1.1, 12)
    pay_eff = np.array([0.9, -0.6, -0.7, 0.4])
    logit = (-0.5 + plan_eff[plan] + region_eff[region] + pay_eff[payment]
             - 0.035 * tenure + 0.45 * calls + 0.01 * (charges - 60))
    y = rng.binomial(1, 1 / (1 + np.exp(-logit)))

    idx = rng.permutation(n)
    tr, va = idx[:3200], idx[3200:]
    num = np.column_stack([tenure, charges, calls]).astype(np.float32)
    num = (num - num[tr].mean(0)) / num[tr].std(0)
    cat = np.concatenate([np.eye(k, dtype=np.float32)[c] for c, k in ((plan, 6), (region, 12), (payment, 4))], axis=1)
    X = np.concatenate([num, cat], axis=1)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Dropout(0.1),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 2),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X[tr]), torch.tensor(y[tr])),
        val=(torch.tensor(X[va]), torch.tensor(y[va])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=64,
    )
