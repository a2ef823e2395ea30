"""Toll-plaza waiting time per arriving vehicle (checkup spec).

Inputs: lane/plaza state when the vehicle joins (queue lengths, open booths, tag share,
arrival rate, hour, weather flag, heavy-vehicle share). Target: minutes until the barrier
opens, heavy right tail (breakdowns, card failures). Huber loss on the log1p wait keeps
the rare long waits from dominating; one-hot hour-of-day and the rain flag are left unscaled.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def plaza_log(n, seed=13):
    rng = np.random.default_rng(seed)
    hour = rng.integers(0, 24, n)
    rush = np.exp(-((hour - 8) / 1.5) ** 2) + 0.8 * np.exp(-((hour - 17.5) / 2.0) ** 2)
    booths = rng.integers(2, 9, n)
    tag_share = rng.beta(5, 3, n)
    arrival = rng.gamma(4, 3, n) * (0.5 + 1.5 * rush)
    queue = rng.poisson(np.clip(arrival / booths, 0.1, None) * 2)
    heavy = rng.beta(2, 8, n)
    rain = (rng.random(n) < 0.2).astype(float)
    service = 0.25 * (1 - tag_share) + 0.05 + 0.3 * heavy + 0.05 * rain
    base = queue * service + 0.4 * np.maximum(arrival / booths - 4, 0) * service * 3
    incident = rng.random(n) < 0.03
    wait = base * rng.lognormal(0, 0.35, n) + incident * rng.exponential(6, n)
    cont = np.stack([queue, booths, tag_share, arrival, heavy], 1)
    flags = np.concatenate([np.eye(24)[hour], rain[:, None]], 1)
    return cont.astype(np.float32), flags.astype(np.float32), np.log1p(wait).astype(np.float32)


def setup():
    torch.manual_seed(13)
    cont, flags, y = plaza_log(4000)
    n_tr = 3200
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    cont = (cont - mu) / sd
    X = torch.tensor(np.concatenate([cont, flags], 1))
    y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
    y = torch.tensor((y - y_mu) / y_sd)[:, None]
    model = nn.Sequential(nn.Linear(X.shape[1], 96), nn.SiLU(), nn.Linear(96, 96), nn.SiLU(), nn.Linear(96, 1))
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.HuberLoss(delta=1.0),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3, weight_decay=1e-5),
        batch_size=64,
    )
