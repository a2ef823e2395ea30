"""Salt-marsh bird surveys: expected count of roosting waders in a 1-ha survey square
at high-tide counts, from tide, season, weather, habitat and disturbance readings.

Counts are overdispersed (most squares hold a handful of birds, a few hold flocks of
hundreds), so the net outputs a log-rate and is fitted with PoissonNLLLoss on the raw
counts; the output bias starts at log(mean count). Observer is one-hot (left 0/1).
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_OBS = 5


def counts(n, rng):
    tide = rng.normal(5.2, 0.6, n)                        # m above chart datum
    doy = rng.integers(1, 366, n)
    wind = rng.gamma(2.0, 3.0, n)                         # m/s
    temp = 10 + 7 * np.sin(2 * np.pi * (doy - 110) / 365) + rng.normal(0, 2, n)
    veg_h = rng.gamma(2.0, 8.0, n)                        # cm, sward height
    creek = rng.beta(2, 5, n)                             # creek density index
    wall_dist = rng.uniform(20, 900, n)                   # m to sea wall / footpath
    walkers = rng.poisson(3, n)                           # people seen in last hour
    observer = rng.integers(0, N_OBS, n)
    winter = np.cos(2 * np.pi * (doy - 15) / 365)         # peak mid-January
    log_rate = (1.4 + 1.3 * winter + 1.6 * np.tanh(2.5 * (tide - 5.3))
                - 0.06 * (veg_h - 10) * (veg_h > 10) + 1.2 * creek
                + 0.9 * np.log(wall_dist / 200) * (walkers > 2) - 0.04 * wind ** 1.5 / 3
                + np.array([0.0, -0.2, 0.1, -0.35, 0.05])[observer])
    lam = np.exp(log_rate) * rng.gamma(2.0, 0.5, n)       # flock clumping: negative-binomial-like
    y = rng.poisson(lam).astype(np.float32)
    cont = np.column_stack([tide, np.sin(2 * np.pi * doy / 365), np.cos(2 * np.pi * doy / 365), wind, temp,
                            veg_h, creek, np.log(wall_dist), walkers])
    return cont.astype(np.float32), np.eye(N_OBS, dtype=np.float32)[observer], y


def setup():
    rng = np.random.default_rng(8)
    torch.manual_seed(8)
    cont, obs, y = counts(5000, rng)
    tr, va = slice(0, 4000), slice(4000, 5000)
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.hstack([(cont - mu) / sd, obs]).astype(np.float32)

    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    with torch.no_grad():
        model[-1].bias.fill_(float(np.log(y[tr].mean())))
        model[-1].weight.mul_(0.1)

    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(X[tr]), torch.tensor(y[tr]).unsqueeze(1)),
        val=(torch.tensor(X[va]), torch.tensor(y[va]).unsqueeze(1)),
        loss=nn.PoissonNLLLoss(log_input=True, full=False),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
