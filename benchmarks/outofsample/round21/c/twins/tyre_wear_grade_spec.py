"""Checkup spec: tyre wear grade from fleet inspection records.

Each inspection records tread depth in the four circumferential grooves (mm, inner to outer),
the odometer since fitting, wheel-alignment camber, mean pressure deviation from the placard,
axle load and tyre age. The grade is what the workshop recorded:
0 as new, 1 serviceable, 2 plan replacement, 3 replace now (too shallow or irregular wear).
The MLP is built from a small config dict shared with the fleet's other tabular models.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "silu": nn.SiLU, "tanh": nn.Tanh}

CONFIG = {
    "hidden": [128, 128],
    "activation": "relu",
    "lr": 2e-3,
    "batch_size": 64,
}


def inspection_records(n, seed=2):
    rng = np.random.default_rng(seed)
    mileage = rng.gamma(3.0, 12000, n)
    camber = rng.normal(0, 1.0, n)
    pressure_dev = rng.normal(0, 8, n)
    load = rng.normal(0, 1, n)
    age = rng.uniform(1, 72, n)
    new_depth = rng.normal(8.0, 0.3, n)
    groove = np.array([-1.5, -0.5, 0.5, 1.5])
    rate = 4.5e-5 * (1 + 0.25 * load) * (1 + 0.02 * np.abs(pressure_dev))
    wear = mileage[:, None] * rate[:, None] * (
        1 + 0.35 * camber[:, None] * groove + 0.004 * pressure_dev[:, None] * (np.abs(groove) - 1))
    depth = (new_depth[:, None] - wear - 0.01 * age[:, None] + rng.normal(0, 0.15, (n, 4))).clip(0.3, None)
    shallowest, spread = depth.min(1), depth.max(1) - depth.min(1)
    grade = np.select([shallowest < 2.0, shallowest < 4.0, shallowest < 6.0], [3, 2, 1], 0)
    grade = np.where(spread > 3.0, 3, grade)
    X = np.column_stack([depth, mileage, camber, pressure_dev, load, age]).astype(np.float32)
    return X, grade.astype(np.int64)


def make_mlp(n_in, n_out, hidden, activation):
    act = ACTIVATIONS.get(activation, nn.Identity)
    layers, width = [], n_in
    for h in hidden:
        layers += [nn.Linear(width, h), act()]
        width = h
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


def setup():
    torch.manual_seed(0)
    X, y = inspection_records(3000)
    X_tr, y_tr, X_va, y_va = X[:2400], y[:2400], X[2400:], y[2400:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    model = make_mlp(X.shape[1], 4, CONFIG["hidden"], CONFIG["activation"])
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=CONFIG["lr"]),
        batch_size=CONFIG["batch_size"],
    )
