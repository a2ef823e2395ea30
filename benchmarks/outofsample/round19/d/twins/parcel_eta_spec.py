"""Parcel transit-time (ETA) regression for a regional courier network: checkup spec.

Features per shipment: great-circle distance, parcel weight, declared value, pickup hour
and weekday (cyclic), hub congestion index, one-hot origin region (6), one-hot service
level (economy / standard / express), customs and remote-area flags.
Target: door-to-door transit time in hours, standardised for training.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def make_shipments(n, rng):
    dist = rng.gamma(2.0, 220.0, n)                       # km
    weight = rng.lognormal(0.5, 0.9, n)                   # kg
    value = rng.lognormal(3.5, 1.0, n)
    hour = rng.integers(6, 22, n)
    wday = rng.integers(0, 7, n)
    congestion = rng.beta(2, 5, n)
    region = rng.integers(0, 6, n)
    service = rng.choice(3, n, p=[0.45, 0.4, 0.15])
    customs = (rng.random(n) < 0.12).astype(float)
    remote = (rng.random(n) < 0.08).astype(float)

    speed = np.array([35.0, 50.0, 80.0])[service]         # effective km/h incl. sorting
    base = np.array([30.0, 18.0, 8.0])[service]
    late_pickup = (hour >= 17) * 10.0
    weekend = np.isin(wday, [4, 5]) * np.where(service == 2, 4.0, 20.0)
    region_delay = np.array([0, 3, 6, 2, 9, 4.0])[region]
    hours = (base + dist / speed + late_pickup + weekend + region_delay + 30 * congestion ** 2
             + 24 * customs * rng.uniform(0.5, 1.5, n) + 14 * remote + 1.5 * np.log1p(weight))
    hours = hours * rng.lognormal(0, 0.12, n)

    cont = np.stack([np.log1p(dist), np.log1p(weight), np.log1p(value), congestion,
                     np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                     np.sin(2 * np.pi * wday / 7), np.cos(2 * np.pi * wday / 7)], 1)
    cat = np.concatenate([np.eye(6)[region], np.eye(3)[service], customs[:, None], remote[:, None]], 1)
    return cont, cat, hours


def setup():
    rng = np.random.default_rng(11)
    cont, cat, hours = make_shipments(4000, rng)
    idx = rng.permutation(len(hours))
    tr, va = idx[:3200], idx[3200:]

    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([(cont - mu) / sd, cat], 1).astype(np.float32)   # scale continuous columns only
    y_tr, y_va = hours[tr], hours[va]
    y_mean, y_std = y_tr.mean(), y_tr.std()
    t_tr = ((y_tr - y_mean) / y_std).astype(np.float32)
    t_va = ((y_va - y_mean) / y_std).astype(np.float32)

    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(X.shape[1], 96), nn.ReLU(),
        nn.Linear(96, 96), nn.ReLU(),
        nn.Linear(96, 1),
        nn.Flatten(0),
    )
    # start the head at the average transit time
    nn.init.constant_(model[4].bias, float(t_tr.mean()))

    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(t_tr)),
        val=(torch.from_numpy(X[va]), torch.from_numpy(t_va)),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
