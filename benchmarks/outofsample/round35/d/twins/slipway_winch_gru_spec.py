"""Boatyard slipway: recognise what is being hauled from the winch log (checkup spec).

The yard's electric slipway winch logs cable tension, drum speed and motor current at 4 Hz while a
cradle is hauled up the slip.  The yard wants to tag each haul with the vessel type for billing
and to spot unusual hauls.  Ten vessel types differ in mass, in how the load comes on as the keel or
hulls settle in the cradle, and in the surge of a light hull riding the swell at the slip's foot.
A GRU over the 64-sample trace (channels standardised per channel on the training hauls).
"""
import numpy as np
import torch
from torch import nn

import nndoctor

VESSELS = ["dinghy", "rib", "kayak_rack", "day_sailer", "keelboat", "catamaran",
           "crabber", "narrowboat", "workboat", "lifeboat"]
N_CH, HIDDEN, T = 3, 48, 64
# mass (t), load-on time (samples), surge amplitude, stiction spike, surge period
PROFILE = np.array([
    [0.3, 4, 0.30, 0.0, 9], [1.2, 6, 0.25, 0.0, 11], [0.5, 3, 0.05, 0.0, 7], [1.8, 10, 0.15, 0.3, 13],
    [4.5, 16, 0.05, 0.8, 15], [3.0, 8, 0.35, 0.1, 6], [6.0, 12, 0.10, 0.4, 10], [9.0, 20, 0.02, 0.2, 18],
    [7.5, 14, 0.12, 0.6, 8], [11.0, 22, 0.06, 0.9, 12]])


def haul(v, rng):
    mass, onset, surge, stick, period = PROFILE[v] * rng.uniform(0.85, 1.15, 5)
    t = np.arange(T)
    slope = np.sin(np.deg2rad(rng.uniform(5, 9)))
    ramp = 1 / (1 + np.exp(-(t - 12 - onset) / (onset / 4)))
    tension = mass * 9.81 * (slope + 0.04) * ramp
    tension += surge * mass * np.sin(2 * np.pi * t / period + rng.uniform(0, 6.3)) * np.exp(-t / 30)
    tension += stick * mass * np.exp(-((t - 12 - onset) ** 2) / 4)
    speed = 0.25 * (1 - 0.5 * ramp * mass / 12) + 0.01 * rng.standard_normal(T)
    current = 20 + 3.1 * tension + 8 * speed + rng.normal(0, 1.0, T)
    tension += rng.normal(0, 0.15 * np.sqrt(mass), T)
    return np.stack([tension, speed, current], 1)


def load_hauls(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(VESSELS), n)
    X = np.stack([haul(v, rng) for v in y]).astype(np.float32)
    return X, y


class HaulNet(nn.Module):
    def __init__(self, n_ch, hidden, n_cls):
        super().__init__()
        self.gru = nn.GRU(n_ch, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_cls)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])


def setup():
    torch.manual_seed(0)
    X, y = load_hauls(2400, seed=7)
    mu, sd = X[:1900].reshape(-1, N_CH).mean(0), X[:1900].reshape(-1, N_CH).std(0)
    X = (X - mu) / sd
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    model = HaulNet(N_CH, HIDDEN, len(VESSELS))
    return nndoctor.Setup(
        model=model,
        train=(Xt[:1900], yt[:1900]),
        val=(Xt[1900:], yt[1900:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=32,
        name="slipway-winch-gru",
    )
