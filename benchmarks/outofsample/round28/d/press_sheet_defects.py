"""Offset printing press: predict the defect class of a pulled sheet from press telemetry.

40 standardised channels per sheet: ink-key densities across 24 zones (CMYK averaged),
dampening conductivity/pH/temperature, blanket and impression pressure, press speed,
humidity, paper grammage and a few register-mark offsets. Classes: ok, hickeys,
ghosting, mis-register, set-off.
"""
import numpy as np
import torch
from torch import nn
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import nndoctor

N_CLASSES = 5


def press_telemetry(n=4000, seed=5):
    rng = np.random.default_rng(seed)
    zones = rng.normal(1.45, 0.12, (n, 24)).cumsum(1) / np.arange(1, 25)  # smooth ink profile
    cond = rng.normal(1200, 120, n)
    ph = rng.normal(5.0, 0.25, n)
    damp_t = rng.normal(11, 1.5, n)
    blanket = rng.normal(0.10, 0.015, n)
    impression = rng.normal(3.2, 0.3, n)
    speed = rng.uniform(8000, 15000, n)
    humidity = rng.normal(52, 6, n)
    grammage = rng.choice([80, 90, 115, 135, 170], n) + rng.normal(0, 2, n)
    reg = rng.normal(0, 0.04, (n, 4))
    X = np.column_stack([zones, cond, ph, damp_t, blanket, impression, speed, humidity, grammage, reg])

    z = (X - X.mean(0)) / X.std(0)
    ink_slope = z[:, 20:24].mean(1) - z[:, 0:4].mean(1)
    s_hickey = 1.6 * z[:, 24] - 1.1 * z[:, 25] + 1.2 * np.maximum(z[:, 30], 0)
    s_ghost = 1.5 * np.abs(ink_slope) + 0.9 * z[:, 29] - 0.8 * z[:, 28]
    s_reg = 1.3 * (np.abs(z[:, 32]) + np.abs(z[:, 33])) - 1.0 + 0.6 * np.abs(z[:, 29] - z[:, 31])
    s_setoff = 1.3 * z[:, 10:14].mean(1) + 1.0 * z[:, 30] - 1.0 * z[:, 31]
    s_ok = np.full(n, 1.5)
    scores = np.column_stack([s_ok, s_hickey, s_ghost, s_reg, s_setoff]) + rng.gumbel(0, 0.2, (n, 5))
    y = scores.argmax(1)
    return X.astype(np.float32), y.astype(np.int64)


class DefectNet(nn.Module):
    def __init__(self, d_in, n_classes):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, 96), nn.Tanh(),
            nn.Linear(96, 48), nn.Tanh(),
            nn.Linear(48, n_classes),
        )
        for m in self.net:
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=1.0)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.net(x)


def setup():
    torch.manual_seed(0)
    X, y = press_telemetry()
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xva = scaler.transform(Xtr).astype(np.float32), scaler.transform(Xva).astype(np.float32)
    model = DefectNet(X.shape[1], N_CLASSES)
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(yva)),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.02, momentum=0.9, weight_decay=5e-4),
        batch_size=64,
    )
