"""Kite-line flight state from the control-bar load cells (checkup spec).

Traction-kite test rig: per second, left/right line tension, bar position, line angle,
wind speed and gust factor, and the kite's position in the wind window. The label is the
flight state the rider tagged afterwards: 0 luffing, 1 working, 2 overpowered.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def make_rig_log(n, seed):
    rng = np.random.default_rng(seed)
    wind = rng.uniform(4, 14, n)                      # m/s
    gust = rng.uniform(1.0, 1.6, n)
    window_x = rng.uniform(-1, 1, n)                  # -1 left edge .. 1 right edge
    window_y = rng.uniform(0, 1, n)                   # 0 low .. 1 zenith
    bar = rng.uniform(0, 1, n)                        # 0 sheeted out .. 1 sheeted in
    # angle of attack relative to trim, a hidden quantity
    aoa = 1.8 * (bar - 0.5) - 1.2 * (window_y - 0.4) + rng.normal(0, 0.15, n)
    power = (wind / 9.0) ** 2 * gust * np.cos(window_x * 1.2)
    dev = np.sqrt(aoa ** 2 + (power - 1.0) ** 2)      # distance from the trimmed sweet spot
    state = np.where(dev < 0.45, 1, np.where(dev < 0.9, 0, 2)).astype(np.int64)
    t_left = 60 * power * (1 + 0.3 * window_x) + rng.normal(0, 5, n)
    t_right = 60 * power * (1 - 0.3 * window_x) + rng.normal(0, 5, n)
    line_angle = 15 + 60 * window_y + rng.normal(0, 3, n)
    X = np.column_stack([aoa + rng.normal(0, 0.05, n), power + rng.normal(0, 0.05, n),
                         t_left, t_right, line_angle, wind, gust, window_x, bar])
    return X.astype(np.float32), state


def mlp(sizes, act=None):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if act is not None and i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


def setup():
    torch.manual_seed(0)
    X, y = make_rig_log(3000, seed=5)
    mu, sd = X[:2400].mean(0), X[:2400].std(0)
    X = (X - mu) / sd
    model = mlp([X.shape[1], 64, 64, 3])
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:2400]), torch.from_numpy(y[:2400])),
        val=(torch.from_numpy(X[2400:]), torch.from_numpy(y[2400:])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=64,
    )
