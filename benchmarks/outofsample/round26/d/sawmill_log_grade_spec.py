"""Sawmill log grading: assign each incoming saw log to one of five grades (A, B, C, D, pulp) from the
3-D laser and X-ray scanner measurements at the log yard. Checkup spec.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

GRADES = ["A", "B", "C", "D", "pulp"]


def scan_logs(n, rng):
    pine = rng.random(n) < 0.45
    sed = rng.gamma(9, 3.2, n) + 12                       # small-end diameter, cm
    taper = rng.gamma(2, 0.45, n)                         # cm / m
    sweep = rng.gamma(1.5, 0.6, n)                        # cm / m
    ovality = rng.beta(2, 12, n)
    whorls = rng.poisson(2.5 + 1.5 * pine, n)             # knot whorls per m
    knot_max = rng.gamma(3, 0.9 + 0.5 * pine, n)          # cm
    knot_free = np.clip(rng.normal(1.8, 0.9, n) - 0.2 * whorls, 0, None)   # m of clear butt
    rot = rng.beta(1, 25, n)
    density = rng.normal(430 + 60 * pine, 35, n)          # kg/m3 (X-ray)
    ring_width = rng.gamma(4, 0.6, n)                     # mm
    length = rng.choice([3.1, 4.3, 4.9, 5.5], n)
    quality = (1.2 * knot_free - 0.55 * knot_max - 0.25 * whorls - 1.6 * sweep - 6.0 * rot
               - 4.0 * ovality + 0.03 * sed - 0.3 * (ring_width - 2.4) ** 2 + rng.normal(0, 0.2, n))
    cuts = np.array([-4.2, -2.9, -1.8, -0.6])
    grade = 4 - np.digitize(quality, cuts)
    feats = np.stack([sed, taper, sweep, ovality, whorls, knot_max, knot_free, rot, density,
                      ring_width, length, pine.astype(float)], 1)
    return feats, grade


def setup():
    rng = np.random.default_rng(5)
    torch.manual_seed(5)
    X, y = scan_logs(3000, rng)
    n_tr = 2400
    cont = slice(0, 11)
    mu, sd = X[:n_tr, cont].mean(0), X[:n_tr, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    p_drop = 0.9
    model = nn.Sequential(
        nn.Linear(X.shape[1], 256), nn.ReLU(), nn.Dropout(p_drop),
        nn.Linear(256, 128), nn.ReLU(), nn.Dropout(p_drop),
        nn.Linear(128, len(GRADES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        batch_size=64,
    )
