"""Checkup spec: weld seam quality (pass / rework / scrap) from line sensors.

Each sensor is logged as its deviation from the line's nominal setpoint, so every
column is already centred on zero, in the sensor's own unit: the gap gauge in
metres, wire feed in m/s, current in A, voltage in V, torch speed in mm/s,
shielding-gas flow in L/min, temperatures in K, and so on.
"""
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor

# (name, unit, spread of the deviation from setpoint)
SENSORS = [
    ("gap", "m", 4e-4), ("wire_feed", "m/s", 2e-3), ("offset_lateral", "m", 6e-4),
    ("current", "A", 4.0), ("voltage", "V", 0.8), ("torch_speed", "mm/s", 2.5),
    ("gas_flow", "L/min", 1.2), ("preheat", "K", 4.0), ("interpass", "K", 4.0),
    ("stickout", "m", 8e-4), ("angle", "rad", 0.03), ("humidity", "%", 3.0),
]


def load_weld_log(n=6000, seed=5):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, len(SENSORS)))
    z[:, 9] = 0.6 * z[:, 0] + 0.8 * z[:, 9]                  # stick-out follows the gap
    # heat input and geometry decide the seam; the geometry sensors matter most
    energy = 0.7 * z[:, 3] * np.abs(z[:, 4] + 0.5) - 0.6 * z[:, 5] + 0.3 * z[:, 7]
    geometry = 1.3 * z[:, 0] + 1.0 * np.abs(z[:, 2]) - 0.9 * z[:, 1] + 0.7 * z[:, 9] * z[:, 10]
    risk = energy + 1.5 * geometry + 0.4 * rng.normal(size=n)
    y = np.digitize(risk, np.quantile(risk, [0.6, 0.88]))    # 0 pass, 1 rework, 2 scrap
    spreads = np.array([s for _, _, s in SENSORS])
    return (z * spreads).astype(np.float32), y


class WeldNet(nn.Module):
    def __init__(self, n_in, n_out=3):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_in, 128), nn.SiLU(),
            nn.Linear(128, 64), nn.SiLU(),
            nn.Linear(64, n_out),
        )

    def forward(self, x):
        return self.net(x)


def setup():
    torch.manual_seed(0)
    X, y = load_weld_log()
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    return nndoctor.Setup(
        model=WeldNet(X.shape[1]),
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=64,
    )
