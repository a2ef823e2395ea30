"""Shipping-container damage claims from IoT logger summaries.

Per voyage: shock peaks and counts, humidity and dew-point exposure,
temperature swing, tilt events, transshipments, days at sea and in port,
container age, reefer flag, stack position. Label: surveyor's finding at
destination (0 none, 1 moisture/condensation, 2 impact, 3 crushed/tilted cargo).
"""
import numpy as np
import torch
from torch import nn
import nndoctor

N_FEAT, N_CLASSES = 14, 4


def make_voyages(n, seed=21):
    rng = np.random.default_rng(seed)
    shock_peak = rng.gamma(3.0, 1.5, n)
    shock_count = rng.poisson(2 + shock_peak, n).astype(float)
    humid_mean = rng.normal(70, 12, n)
    dew_hours = rng.gamma(1.2, 8, n)
    temp_swing = rng.gamma(2.0, 4, n)
    tilt_events = rng.poisson(0.6, n).astype(float)
    tranship = rng.integers(0, 5, n).astype(float)
    sea_days = rng.uniform(5, 45, n)
    port_days = rng.gamma(2.0, 2.0, n)
    age = rng.uniform(0, 15, n)
    reefer = (rng.random(n) < 0.25).astype(float)
    stack_tier = rng.integers(1, 9, n).astype(float)
    vib_rms = rng.gamma(2.0, 0.2, n) * (1 + 0.1 * sea_days / 10)
    door_events = rng.poisson(1.5, n).astype(float)
    X = np.stack([shock_peak, shock_count, humid_mean, dew_hours, temp_swing, tilt_events, tranship,
                  sea_days, port_days, age, reefer, stack_tier, vib_rms, door_events], 1)
    moist = 0.12 * dew_hours * (1 - reefer) * (humid_mean > 65) + 0.06 * temp_swing * (humid_mean > 75) + 0.1 * age - 1.6
    impact = 0.5 * np.maximum(shock_peak - 5, 0) ** 1.3 + 0.5 * tranship * (vib_rms > 0.4) + 0.05 * shock_count - 1.2
    crush = 1.0 * tilt_events * (stack_tier > 4) + 0.5 * stack_tier * (shock_peak > 5) - 2.5
    scores = np.stack([np.zeros(n), moist, impact, crush], 1) + rng.gumbel(0, 0.2, (n, 4))
    y = scores.argmax(1)
    return X.astype(np.float32), y


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 0.01)
        nn.init.constant_(m.bias, 0.01)


def setup():
    torch.manual_seed(0)
    X, y = make_voyages(4000)
    mu, sd = X[:3200].mean(0), X[:3200].std(0)
    X = torch.tensor((X - mu) / sd)
    y = torch.tensor(y)
    model = nn.Sequential(
        nn.Linear(N_FEAT, 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, N_CLASSES),
    )
    model.apply(init_weights)
    return nndoctor.Setup(
        model=model,
        train=(X[:3200], y[:3200]),
        val=(X[3200:], y[3200:]),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=64,
    )
