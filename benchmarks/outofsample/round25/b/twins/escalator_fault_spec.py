"""Escalator fault type from the drive's condition-monitoring summary (checkup spec).

Each record is a 10-minute window from one escalator: motor-current band energies, handrail /
step speed ratio, drive temperature rise and step-chain tension. Maintenance labelled the
window with one of twenty states (normal or a component fault) after the next inspection.
"""
import numpy as np
import torch
from torch import nn
import nndoctor

STATES = ["normal", "step_chain_wear", "step_chain_stretch", "handrail_slip", "handrail_crack",
          "comb_plate_damage", "comb_tooth_missing", "gear_misalignment", "gear_tooth_wear",
          "brake_drag", "brake_lining_wear", "step_roller_flat", "chain_roller_seizure",
          "drive_belt_slip", "tension_carriage_stuck", "skirt_brush_loose", "motor_winding_imbalance",
          "vfd_harmonics", "lubrication_dry", "landing_plate_rattle"]


def load_windows(seed=21):
    rng = np.random.default_rng(seed)
    n, bands, k = 5000, 24, len(STATES)
    y = rng.integers(0, k, n)
    unit = rng.integers(0, 12, n)                       # escalator id: load and age differ
    load = rng.gamma(3, 1, n) * (1 + 0.1 * (unit % 4))
    sig = rng.normal(0, 1, (k, bands)) * np.r_[0, np.ones(k - 1)][:, None]
    sig[:, :6] *= 0.3
    amp = rng.uniform(0.35, 0.8, n)
    energy = (np.log1p(load)[:, None] * np.linspace(1, 0.2, bands)[None]
              + amp[:, None] * sig[y] + rng.normal(0, 0.75, (n, bands)))
    handrail = 1.0 - 0.03 * (y == 2) + rng.normal(0, 0.012, n)
    temp_rise = 8 + 1.5 * load + 3 * (y == 5) + 1.5 * (y == 4) + rng.normal(0, 2.0, n)
    tension = 12 - 1.2 * (y == 1) + 0.05 * unit + rng.normal(0, 0.8, n)
    X = np.column_stack([energy, handrail, temp_rise, tension, np.log1p(load)]).astype(np.float32)
    return X, y.astype(np.int64)


def setup():
    torch.manual_seed(0)
    X, y = load_windows()
    n_tr = 4000
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd
    X_tr, X_va = torch.from_numpy(X[:n_tr]), torch.from_numpy(X[n_tr:])
    Y_tr, Y_va = torch.from_numpy(y[:n_tr]), torch.from_numpy(y[n_tr:])

    model = nn.Sequential(
        nn.Linear(X.shape[1], 96), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(96, 96), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(96, len(STATES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(X_tr, Y_tr),
        val=(X_va, Y_va),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.02, momentum=0.9, nesterov=True,
                                                     weight_decay=5e-4),
        batch_size=64,
    )
