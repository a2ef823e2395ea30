"""Late-delivery prediction for parcels: tabular MLP.

Columns of the shipment table:
  0 distance_km   1 weight_kg   2 declared_value   3 hour_booked
  4 carrier_id (0..8)   5 origin_hub (0..29)   6 dest_region (0..11)
"""
import numpy as np
import torch
from torch import nn
from sklearn.preprocessing import StandardScaler

import nndoctor

N_CARRIER, N_HUB, N_REGION = 9, 30, 12


def shipments(n, rng, effects):
    carrier = rng.integers(0, N_CARRIER, n)
    hub = rng.integers(0, N_HUB, n)
    region = rng.integers(0, N_REGION, n)
    dist = rng.gamma(3.0, 180.0, n)
    weight = rng.lognormal(1.0, 0.8, n)
    value = rng.lognormal(4.0, 1.0, n)
    hour = rng.integers(6, 22, n).astype(float)
    z = (effects["carrier"][carrier] + effects["hub"][hub] + effects["route"][hub % 6, region]
         + 0.002 * (dist - 540) + 0.15 * (weight > 6) + 0.08 * (hour - 14) - 0.3)
    late = (z + rng.logistic(scale=0.3, size=n) > 0).astype(np.int64)
    table = np.column_stack([dist, weight, value, hour, carrier, hub, region])
    return table, late


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(21)
    effects = {"carrier": rng.normal(0, 1.0, N_CARRIER),
               "hub": rng.normal(0, 1.2, N_HUB),
               "route": rng.normal(0, 0.8, (6, N_REGION))}
    raw_tr, y_tr = shipments(4000, rng, effects)
    raw_va, y_va = shipments(1000, rng, effects)

    scaler = StandardScaler().fit(raw_tr)
    X_tr, X_va = scaler.transform(raw_tr), scaler.transform(raw_va)

    model = nn.Sequential(
        nn.Linear(X_tr.shape[1], 128), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 2),
    )
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    return nndoctor.Setup(
        model=model,
        train=(f(X_tr), torch.from_numpy(y_tr)),
        val=(f(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
