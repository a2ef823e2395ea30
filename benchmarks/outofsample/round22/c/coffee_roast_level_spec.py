"""Checkup spec: roast level from a coffee roaster's bean-temperature profile.

Each batch log gives bean temperature every 20 s for 12 minutes (36 points), the rate of rise
at the same points, charge weight, green-bean moisture and the drop temperature. Label: the
cupping lab's roast grade (light, medium-light, medium, medium-dark, dark).
"""
import numpy as np
import torch
from torch import nn

import nndoctor

GRADES = ["light", "medium_light", "medium", "medium_dark", "dark"]


def roast_logs(n, rng):
    t = np.linspace(0, 12, 36)
    grade = rng.integers(0, 5, n)
    charge_kg = rng.uniform(6, 15, n)
    moisture = rng.normal(10.5, 0.8, n)
    drop_min = 8.5 + 0.75 * grade + rng.normal(0, 0.2, n)           # darker roasts run longer
    burner = 1.0 + 0.05 * grade - 0.02 * (charge_kg - 10) + rng.normal(0, 0.06, n)
    bt = np.empty((n, 36))
    for i in range(n):
        turning = 1.4 + 0.05 * moisture[i] + 0.03 * charge_kg[i]
        curve = 200 - 110 * np.exp(-t / turning) + 28 * burner[i] * np.log1p(t)
        curve = np.where(t > drop_min[i], curve[np.searchsorted(t, drop_min[i]) - 1] - 18 * (t - drop_min[i]), curve)
        bt[i] = curve + np.cumsum(rng.normal(0, 0.6, 36))
    ror = np.gradient(bt, t, axis=1)
    drop_temp = np.array([bt[i][np.searchsorted(t, drop_min[i]) - 1] for i in range(n)]) + rng.normal(0, 2.5, n)
    X = np.column_stack([bt, ror, charge_kg, moisture, drop_temp]).astype(np.float32)
    return X, grade.astype(np.int64)


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = roast_logs(2400, rng)
    X_tr, y_tr, X_va, y_va = X[:2000], y[:2000], X[2000:], y[2000:]
    mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    depth, width = 20, 64
    layers = [nn.Linear(X.shape[1], width), nn.ReLU()]
    for _ in range(depth - 1):
        layers += [nn.Linear(width, width), nn.ReLU()]
    layers.append(nn.Linear(width, len(GRADES)))
    model = nn.Sequential(*layers)

    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X_tr), torch.tensor(y_tr)),
        val=(torch.tensor(X_va), torch.tensor(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        batch_size=64,
    )
