"""Predict the full opening cycle time of a harbour bascule bridge (barrier down to road reopened).

Each record is one opening: wind, vessel traffic waiting, hydraulic oil temperature, deck icing,
operator shift and so on. Target: cycle duration in seconds. Checkup spec.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def load_openings(seed=21, n=2400):
    rng = np.random.default_rng(seed)
    wind = rng.gamma(2.0, 3.5, n)                    # m/s
    gust = wind * rng.uniform(1.1, 1.8, n)
    vessels = rng.poisson(1.6, n) + 1
    tall_mast = rng.binomial(1, 0.3, n)
    oil_temp = rng.normal(38, 9, n)
    air_temp = rng.normal(11, 7, n)
    icing = ((air_temp < 1) & (rng.random(n) < 0.6)).astype(float)
    pedestrians = rng.poisson(12, n)
    night = rng.binomial(1, 0.35, n)
    hour_sin = np.sin(2 * np.pi * rng.uniform(0, 24, n) / 24)
    secs = (300 + 70 * vessels + 45 * tall_mast + 3.0 * np.maximum(gust - 12, 0) ** 1.5
            + 1.8 * np.maximum(30 - oil_temp, 0) + 80 * icing + 1.5 * pedestrians - 25 * night
            + rng.normal(0, 25, n))
    X = np.column_stack([wind, gust, vessels, tall_mast, oil_temp, air_temp, icing, pedestrians,
                         night, hour_sin]).astype(np.float32)
    return X, secs.astype(np.float32)


class CycleNet(nn.Module):
    def __init__(self, d_in, hidden=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU())
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.out(self.body(x)).squeeze(-1)


def setup():
    torch.manual_seed(1)
    X, secs = load_openings()
    n_tr = 1900
    x_mu, x_sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    y_mu, y_sd = secs[:n_tr].mean(), secs[:n_tr].std()
    Xs = (X - x_mu) / x_sd
    ys = (secs - y_mu) / y_sd
    model = CycleNet(X.shape[1])
    with torch.no_grad():
        model.out.weight.mul_(0.1)
        model.out.bias.fill_(float(y_mu))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xs[:n_tr]), torch.from_numpy(ys[:n_tr])),
        val=(torch.from_numpy(Xs[n_tr:]), torch.from_numpy(ys[n_tr:])),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
