"""Cricket-bat willow: grade clefts before they are pressed.

Features measured at the cleft-grading bench: grains on the face, grain straightness (deg),
width of red heartwood (mm), butterfly-stain area (%), knots, pin knots, density (kg/m3),
moisture (%), tap-tone frequency (Hz), tap-tone decay (ms), sapwood width (mm), cleft
length (mm). Grade assigned by the master grader: 0 = G1+, 1 = G1, 2 = G2, 3 = G3/4.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

HP = dict(hidden=64, dropout=0.9, lr=1e-3, weight_decay=1e-5, batch_size=32)


def grading_bench(n, rng):
    grains = rng.normal(9, 2.5, n).clip(3, 18)
    straight = np.abs(rng.normal(0, 4, n))
    red = rng.gamma(2.0, 6.0, n)
    butterfly = rng.beta(1.2, 12, n) * 100
    knots = rng.poisson(0.6, n)
    pins = rng.poisson(2.0, n)
    density = rng.normal(420, 35, n)
    moisture = rng.normal(14, 3, n)
    tone = 380 + 0.8 * (density - 420) - 3.0 * moisture + rng.normal(0, 12, n)
    decay = 55 - 1.5 * straight + rng.normal(0, 5, n)
    sap = rng.normal(55, 10, n)
    length = rng.normal(710, 8, n)
    score = (0.35 * (grains - 9) - 0.25 * straight - 0.08 * red - 0.12 * butterfly
             - 0.9 * knots - 0.15 * pins + 0.03 * (decay - 55)
             - 0.9 * ((density - 420) / 35) ** 2 + 0.02 * (sap - 55)
             - 0.6 * knots * (red > 15) - 0.8 * np.tanh(straight / 3) * (grains > 10)
             - 1.2 * (np.abs(moisture - 14) > 4))
    score += rng.normal(0, 0.35, n)
    cuts = np.quantile(score, [0.25, 0.55, 0.8])
    y = 3 - np.searchsorted(cuts, score)
    X = np.stack([grains, straight, red, butterfly, knots, pins, density, moisture,
                  tone, decay, sap, length], 1)
    return X.astype(np.float32), y.astype(np.int64)


def setup():
    torch.manual_seed(17)
    rng = np.random.default_rng(17)
    X, y = grading_bench(2500, rng)
    mu, sd = X[:2000].mean(0), X[:2000].std(0)
    X = (X - mu) / sd
    h, p = HP["hidden"], HP["dropout"]
    model = nn.Sequential(
        nn.Linear(12, h), nn.ReLU(), nn.Dropout(p),
        nn.Linear(h, h), nn.ReLU(), nn.Dropout(p),
        nn.Linear(h, 4),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:2000]), torch.from_numpy(y[:2000])),
        val=(torch.from_numpy(X[2000:]), torch.from_numpy(y[2000:])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=HP["lr"], weight_decay=HP["weight_decay"]),
        batch_size=HP["batch_size"],
    )
