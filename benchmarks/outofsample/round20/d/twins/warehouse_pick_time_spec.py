"""Order pick-time model for one distribution centre (checkup spec).

Rows are completed pick orders exported from the WMS: order size, weight, the travel
distance the slotting engine planned, aisles visited, picker tenure, zone congestion
and the hour into the shift. The target is log pick time, standardised. The network
standardises its inputs itself with statistics stored as buffers, so the exported
model can be fed raw WMS rows.
"""
import numpy as np
import torch
import torch.nn as nn

import nndoctor

COLUMNS = ["n_lines", "n_units", "weight_kg", "travel_m", "n_aisles",
           "tenure_months", "congestion", "shift_hour"]


def wms_export(n, seed=5):
    rng = np.random.default_rng(seed)
    n_lines = 1 + rng.poisson(6, n)
    n_units = n_lines + rng.poisson(1.8 * n_lines)
    weight = n_units * rng.gamma(2.0, 1.3, n)
    n_aisles = np.minimum(n_lines, 1 + rng.binomial(n_lines, 0.55))
    travel = 40 + 28 * n_aisles + rng.gamma(2.0, 25, n)
    tenure = rng.gamma(1.6, 14, n)
    congestion = rng.beta(2, 5, n) * 10
    shift_hour = rng.uniform(0, 8, n)
    skill = 0.75 + 0.35 * np.exp(-tenure / 10)
    fatigue = 1 + 0.015 * shift_hour ** 1.4 / 8
    secs = (35 + 11 * n_lines + 2.2 * n_units + 0.9 * weight ** 0.8 + travel / 1.15) \
        * skill * fatigue * (1 + 0.05 * congestion)
    secs = secs * np.exp(rng.normal(0, 0.08, n))
    return {
        "n_lines": n_lines, "n_units": n_units, "weight_kg": weight, "travel_m": travel,
        "n_aisles": n_aisles, "tenure_months": tenure, "congestion": congestion,
        "shift_hour": shift_hour, "cart_capacity": np.full(n, 12.0),
        "pick_seconds": secs,
    }


class PickTimeNet(nn.Module):
    def __init__(self, X_train, hidden=64):
        super().__init__()
        self.register_buffer("mu", X_train.mean(0))
        self.register_buffer("sd", X_train.std(0))
        d = X_train.shape[1]
        self.body = nn.Sequential(
            nn.Linear(d, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.body((x - self.mu) / self.sd)


def setup():
    torch.manual_seed(5)
    export = wms_export(3000)
    X = torch.tensor(np.stack([export[c] for c in COLUMNS], 1), dtype=torch.float32)
    t = np.log(export["pick_seconds"])
    n_tr = 2400
    t = (t - t[:n_tr].mean()) / t[:n_tr].std()
    y = torch.tensor(t, dtype=torch.float32).unsqueeze(1)
    model = PickTimeNet(X[:n_tr])
    return nndoctor.Setup(
        model=model,
        train=(X[:n_tr], y[:n_tr]),
        val=(X[n_tr:], y[n_tr:]),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
