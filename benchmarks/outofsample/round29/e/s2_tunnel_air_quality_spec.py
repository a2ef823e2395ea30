"""Road-tunnel ventilation: a soft sensor for in-tunnel opacity and CO.

The opacity meter (extinction coefficient k) and the CO cell drift and are often out for
calibration, so the operator wants both estimated from the traffic and ventilation data:
cars and lorries per minute, mean speed, the number of jet fans running (0-6, set by the
existing controller) and the wind pressure difference between the portals. Each sample is
the last 36 minutes of those five channels; the targets are k and CO at the window's last
minute (two standardised outputs, one MSE). Days are split whole into training and
validation. The model is a small dilated 1-D convolution stack; training uses AdamW under
a one-cycle LR schedule.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

WIN = 36


def simulate_day(rng):
    t = np.arange(1440)
    base = 8 + 22 * np.exp(-((t - 480) / 70) ** 2) + 26 * np.exp(-((t - 1050) / 90) ** 2) + 6 * np.exp(-((t - 780) / 200) ** 2)
    cars = rng.poisson(base * rng.uniform(0.8, 1.2))
    lorries = rng.poisson(np.clip(2 + 4 * np.exp(-((t - 660) / 260) ** 2) * rng.uniform(0.5, 1.5), 0, None))
    load = cars + 3 * lorries
    speed = 85 - 45 / (1 + np.exp(-(load - 55) / 6)) + rng.normal(0, 3, 1440)
    for _ in range(rng.poisson(1.5)):                    # a breakdown or a queue from the exit: traffic crawls
        s0 = rng.integers(0, 1400)
        speed[s0:s0 + rng.integers(10, 40)] *= rng.uniform(0.15, 0.35)
    speed = np.clip(speed, 5, 100)
    wind = np.cumsum(rng.normal(0, 0.08, 1440)) * 0.5 + rng.normal(0, 0.3)
    k = np.zeros(1440); co = np.zeros(1440); fans = np.zeros(1440)
    k[0], co[0], stage = 0.8, 5.0, 0
    for i in range(1, 1440):
        slow = 1 + 3.0 / (1 + np.exp((speed[i] - 30) / 5))
        emit_k = (0.004 * cars[i] + 0.05 * lorries[i]) * slow
        emit_co = (0.12 * cars[i] + 0.15 * lorries[i]) * slow
        flush = 0.05 + 0.035 * stage + 0.02 * abs(wind[i]) + 0.0015 * speed[i]
        k[i] = k[i - 1] + emit_k - flush * k[i - 1]
        co[i] = co[i - 1] + emit_co - flush * co[i - 1]
        if i % 5 == 0:                                   # controller with hysteresis, every 5 minutes
            if k[i] > 1.6 + 0.9 * stage and stage < 6:
                stage += 2 if k[i] > 3.0 + 0.9 * stage else 1
            elif k[i] < 0.7 + 0.6 * stage and stage > 0:
                stage -= 1
            stage = min(stage, 6)
        fans[i] = stage
    k_meas = k * rng.normal(1, 0.05, 1440)
    co_meas = co + rng.normal(0, 1.0, 1440)
    return np.stack([cars, lorries, speed, fans, wind]), np.stack([k_meas, co_meas])


def windows(rng, n_days, stride=10):
    X, Y = [], []
    for _ in range(n_days):
        series, target = simulate_day(rng)
        for s in range(60, 1440 - WIN, stride):
            X.append(series[:, s:s + WIN])
            Y.append(target[:, s + WIN - 1])
    return np.array(X, dtype=np.float32), np.array(Y, dtype=np.float32)


class DilatedTCN(nn.Module):
    def __init__(self, c_in, width=32, n_out=2):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(c_in, width, 5, padding=2), nn.GELU(),
            nn.Conv1d(width, width, 5, padding=4, dilation=2), nn.GELU(),
            nn.Conv1d(width, width, 3, padding=4, dilation=4), nn.GELU(),
        )
        self.head = nn.Linear(2 * width, n_out)

    def forward(self, x):
        h = self.net(x)
        return self.head(torch.cat([h[:, :, -1], h.mean(dim=2)], 1))


def setup():
    rng = np.random.default_rng(8)
    torch.manual_seed(8)
    Xtr, Ytr = windows(rng, 30)
    Xva, Yva = windows(rng, 8)
    mu, sd = Xtr.mean(axis=(0, 2), keepdims=True), Xtr.std(axis=(0, 2), keepdims=True)
    y_mu, y_sd = Ytr.mean(0), Ytr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    Ytr, Yva = (Ytr - y_mu) / y_sd, (Yva - y_mu) / y_sd
    return nndoctor.Setup(
        model=DilatedTCN(Xtr.shape[1]),
        train=(torch.from_numpy(Xtr), torch.from_numpy(Ytr)),
        val=(torch.from_numpy(Xva), torch.from_numpy(Yva)),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-2),
        scheduler=lambda opt, steps: torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps),
        batch_size=64,
    )
