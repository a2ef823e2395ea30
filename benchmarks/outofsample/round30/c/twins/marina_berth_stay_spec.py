"""Marina berth planning: how long will a visiting boat stay alongside?

Booking records from a coastal marina: boat length/beam/draft, booking lead time, arrival
month, forecast wind at arrival, distance from home port, crew size, previous visits,
festival week flag. Target: hours alongside (arrival to departure), modelled on the log scale and standardised.
MLP regressor, checkup spec.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def _bookings(n=3000, seed=21):
    rng = np.random.default_rng(seed)
    length = rng.lognormal(np.log(11), 0.3, n)              # metres
    beam = length * rng.normal(0.33, 0.03, n)
    draft = 0.18 * length * rng.normal(1, 0.12, n)
    lead = rng.gamma(1.5, 12, n)                             # days booked ahead
    month = rng.integers(1, 13, n)
    wind = rng.gamma(2.0, 5.5, n)                            # knots at arrival
    home_km = rng.lognormal(np.log(80), 1.0, n)
    crew = rng.integers(1, 7, n)
    visits = rng.poisson(1.2, n)
    festival = (rng.random(n) < 0.12).astype(float)
    summer = np.cos(2 * np.pi * (month - 7.5) / 12)
    log_n = (0.6 + 0.35 * np.log(home_km / 80) + 0.012 * lead + 0.5 * summer
             + 0.045 * np.maximum(wind - 15, 0) + 0.25 * festival - 0.06 * crew
             + 0.08 * visits + 0.04 * (length - 11) + rng.normal(0, 0.3, n))
    nights = np.maximum(1, np.round(np.exp(log_n)))
    hours = nights * 24 + rng.normal(1.5, 2.5, n).clip(-6, 10)
    feats = np.stack([np.log(length), beam, draft, np.log1p(lead),
                      np.sin(2 * np.pi * month / 12), np.cos(2 * np.pi * month / 12),
                      wind, np.log(home_km), crew, visits, festival], 1)
    return feats.astype(np.float32), hours.astype(np.float32)


def setup():
    torch.manual_seed(21)
    X, hours = _bookings()
    tr, va = slice(0, 2400), slice(2400, None)
    cont = list(range(10))                                   # festival flag stays 0/1
    mu, sd = X[tr][:, cont].mean(0), X[tr][:, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd
    y_log = np.log(hours)
    t_mu, t_sd = y_log[tr].mean(), y_log[tr].std()
    t = ((y_log - t_mu) / t_sd).astype(np.float32)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 1), nn.Flatten(0),
    )
    with torch.no_grad():
        model[4].bias.fill_(float(t[tr].mean()))

    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(t[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(t[va])),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
