"""Bell-foundry casting outcomes: predict the defect class of a bronze casting
from the pour log (checkup spec)."""
import numpy as np
import torch
from torch import nn

import nndoctor

CLASSES = ["sound", "gas_porosity", "cold_shut", "hot_tear", "misrun"]
N_BLOCKS = 20
WIDTH = 64


def pour_log(n=3000, seed=11):
    rng = np.random.default_rng(seed)
    pour_t = rng.normal(1100, 25, n)            # metal temperature at pour, deg C
    moisture = rng.gamma(4, 1.2, n)             # loam mould moisture, %
    tin = rng.normal(22, 1.5, n)                # tin content, %
    cool_h = rng.lognormal(3.0, 0.35, n)        # hours before knock-out
    mass = rng.lognormal(5.5, 0.8, n)           # bell mass, kg
    humidity = rng.uniform(30, 90, n)           # pit humidity, %
    vents = rng.integers(2, 9, n).astype(float) # number of risers / vents
    wall = rng.normal(40, 6, n) * (mass / 250) ** 0.3   # sound-bow thickness, mm
    z = lambda a: (a - a.mean()) / a.std()
    s_sound = np.full(n, 1.0)
    s_gas = 1.4 * z(moisture) - 0.6 * z(vents) + 0.5 * z(humidity) * (z(moisture) > 0)
    s_cold = -1.5 * z(pour_t) + 0.8 * z(wall) ** 2 * np.sign(z(wall)) - 0.4
    s_tear = -1.2 * z(tin) * z(cool_h) + 0.7 * np.abs(z(tin)) + 0.4 * z(mass)
    s_misrun = -1.2 * z(pour_t) * (z(mass) > 0.3) + 0.9 * (z(wall) < -0.8) - 0.3
    score = np.stack([s_sound, s_gas, s_cold, s_tear, s_misrun], 1)
    y = (score + rng.gumbel(0, 0.35, score.shape)).argmax(1)
    X = np.stack([pour_t, moisture, tin, cool_h, np.log(mass), humidity, vents, wall], 1)
    return X.astype(np.float32), y.astype(np.int64)


class CastingNet(nn.Module):
    def __init__(self, n_in, n_out, width=WIDTH, n_blocks=N_BLOCKS):
        super().__init__()
        layers, d = [], n_in
        for _ in range(n_blocks):
            layers += [nn.Linear(d, width), nn.ReLU()]
            d = width
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(d, n_out)

    def forward(self, x):
        return self.head(self.body(x))


def setup():
    torch.manual_seed(0)
    X, y = pour_log()
    n_train = 2400
    mean, std = X[:n_train].mean(0), X[:n_train].std(0)
    X = (X - mean) / std
    model = CastingNet(X.shape[1], len(CLASSES))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[:n_train]), torch.from_numpy(y[:n_train])),
        val=(torch.from_numpy(X[n_train:]), torch.from_numpy(y[n_train:])),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
