"""Loan performance grade (0 current, 1 late 30+, 2 charged off) from applicant numbers plus
region, product and co-signer flags. Continuous columns are standardised on the training rows;
the categorical ones enter as raw one-hot / 0-1 columns. Grades are imbalanced (about 80/14/6),
so the loss is class-weighted (inverse square-root frequency) with a little label smoothing."""
import numpy as np
import torch
from torch import nn
import nndoctor


def _applications(n, rng):
    income = rng.lognormal(10.8, 0.5, n)
    dti = rng.beta(2, 5, n)
    age = rng.integers(21, 70, n).astype(float)
    tenure = rng.exponential(60, n)
    region = rng.integers(0, 6, n)
    product = rng.choice(4, n, p=[0.5, 0.25, 0.15, 0.1])
    cosigner = (rng.random(n) < 0.2).astype(float)
    region_eff = np.array([0.0, 0.3, -0.2, 0.5, 0.1, -0.4])
    product_eff = np.array([0.0, 0.6, 1.0, -0.3])
    risk = (-1.2 * (np.log(income) - 10.8) + 3.0 * (dti - 0.28) - 0.01 * (age - 40) - 0.005 * tenure
            + region_eff[region] + product_eff[product] - 0.7 * cosigner + 0.9 * (tenure < 12) + 4.0 * (dti - 0.28) * (product == 2)
            + 0.8 * np.abs(age - 45) / 25 + rng.logistic(0, 0.3, n))
    grade = np.digitize(risk, np.quantile(risk, [0.80, 0.94]))
    num = np.column_stack([np.log(income), dti, age, np.log1p(tenure)])
    cat = np.hstack([np.eye(6)[region], np.eye(4)[product], cosigner[:, None]])
    return num, cat, grade


def setup():
    rng = np.random.default_rng(17)
    num, cat, grade = _applications(5000, rng)
    tr, va = slice(0, 4000), slice(4000, None)
    mu, sd = num[tr].mean(0), num[tr].std(0)
    X = np.hstack([(num - mu) / sd, cat]).astype(np.float32)
    y = grade.astype(np.int64)

    counts = np.bincount(y[tr], minlength=3)
    w = 1.0 / np.sqrt(counts)
    w = torch.tensor(w / w.mean(), dtype=torch.float32)

    torch.manual_seed(17)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(64, 32), nn.ReLU(),
        nn.Linear(32, 3),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.CrossEntropyLoss(weight=w, label_smoothing=0.05),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3, weight_decay=1e-5),
        batch_size=64,
    )
