"""Hourly gate counts at a city museum: a Poisson GLM-style network (checkup spec).

Targets are raw visitor counts per opening hour (0 .. a few hundred). The network
predicts the log rate; the loss is the Poisson deviance on that log rate, and the
output bias starts at the log of the mean count so the first steps do not have to
travel there. Calendar inputs are one-hot (hour, weekday, month), weather is
standardised.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

SEED = 23
OPEN_HOURS = np.arange(9, 19)          # 10 opening hours a day


def gate_counts(days, rng):
    rows = []
    for d in range(days):
        weekday, month = d % 7, (d // 30) % 12
        holiday = rng.random() < (0.35 if month in (6, 7) else 0.08)
        exhibition = 1.0 if (d // 45) % 3 == 1 else 0.0
        temp = 12 + 9 * np.sin(2 * np.pi * (d - 100) / 365) + rng.normal(0, 3)
        rain = max(0.0, rng.normal(-0.5, 2.0))
        for h in OPEN_HOURS:
            log_rate = (3.2 + 0.7 * np.exp(-0.5 * ((h - 13.5) / 2.2) ** 2) + 0.5 * (weekday >= 5)
                        - 0.9 * (weekday == 0) + 0.45 * holiday + 0.35 * exhibition
                        + 0.05 * rain - 0.012 * (temp - 18) ** 2 / 4 + 0.2 * np.sin(2 * np.pi * month / 12)
                        + rng.normal(0, 0.12))
            rows.append((h, weekday, month, holiday, exhibition, temp, rain, rng.poisson(np.exp(log_rate))))
    return np.array(rows, dtype=np.float64)


def encode(rows, t_mu, t_sd, r_mu, r_sd):
    hour = np.eye(len(OPEN_HOURS))[(rows[:, 0] - OPEN_HOURS[0]).astype(int)]
    wday = np.eye(7)[rows[:, 1].astype(int)]
    month = np.eye(12)[rows[:, 2].astype(int)]
    flags = rows[:, 3:5]
    weather = np.column_stack([(rows[:, 5] - t_mu) / t_sd, (rows[:, 6] - r_mu) / r_sd])
    return np.hstack([hour, wday, month, flags, weather]).astype(np.float32)


class RateNet(nn.Module):
    def __init__(self, n_in, mean_count):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
        with torch.no_grad():
            self.net[-1].bias.fill_(float(np.log(mean_count)))

    def forward(self, x):
        return self.net(x).squeeze(-1)          # log rate


def setup():
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    rows = gate_counts(730, rng)
    n_tr = 10 * 600                            # first 600 days train, the rest validate
    tr, va = rows[:n_tr], rows[n_tr:]
    stats = (tr[:, 5].mean(), tr[:, 5].std(), tr[:, 6].mean(), tr[:, 6].std())
    X_tr, X_va = encode(tr, *stats), encode(va, *stats)
    y_tr, y_va = tr[:, 7].astype(np.float32), va[:, 7].astype(np.float32)
    model = RateNet(X_tr.shape[1], mean_count=y_tr.mean())
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.PoissonNLLLoss(log_input=True, full=False),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        batch_size=64,
        task="regression",
    )
