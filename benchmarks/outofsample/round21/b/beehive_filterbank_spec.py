"""Checkup spec: colony state from hive-entrance microphone clips.

0.5 s clips at 2 kHz. Classes: queenright hum, queenless roar, swarm
preparation (queen piping). The front end is a fixed, hand-designed band-pass
filterbank (Hann-windowed cosines, 100-900 Hz) kept frozen so that the learned
part stays small and the features stay comparable across hive firmware
versions; only the layers after the log-energies train. Label smoothing because
the beekeepers' state labels are made by ear.
"""
import math

import numpy as np
import torch
from torch import nn

import nndoctor

SR, N = 2000, 1024
CLASSES = ["queenright", "queenless", "swarm_prep"]


def clips(n, rng):
    t = np.arange(N) / SR
    y = rng.integers(0, 3, n)
    out = np.empty((n, N), dtype=np.float32)
    for i in range(n):
        f0 = rng.normal([235, 262, 240][y[i]], 14)
        x = sum(a * np.sin(2 * np.pi * k * f0 * t + rng.uniform(0, 6.3)) for k, a in ((1, 1.0), (2, 0.45), (3, 0.2)))
        if y[i] == 1:                                            # queenless: irregular, broadband roar
            roar = np.convolve(rng.normal(0, 1, N), np.hanning(9), "same")
            x = x * (1 + 0.5 * np.sin(2 * np.pi * rng.uniform(3, 8) * t)) + rng.uniform(0.25, 0.6) * roar
        if y[i] == 2:                                            # piping pulses around 400-500 Hz
            fp, start = rng.uniform(400, 500), rng.uniform(0, 0.3)
            gate = ((t > start) & (t < start + rng.uniform(0.08, 0.2))).astype(float)
            x = x + rng.uniform(0.25, 0.7) * gate * np.sin(2 * np.pi * fp * t)
        x = x + rng.normal(0, rng.uniform(0.3, 0.8), N)          # wind, traffic, mic noise
        out[i] = x / x.std()
    return out[:, None, :], y


class LogFilterbank(nn.Module):
    def __init__(self, n_bands=24, kernel=65, hop=8):
        super().__init__()
        self.conv = nn.Conv1d(1, n_bands, kernel, stride=hop, padding=kernel // 2, bias=False)
        t = (torch.arange(kernel) - kernel // 2) / SR
        centres = torch.linspace(100, 900, n_bands)
        bank = torch.cos(2 * math.pi * centres[:, None] * t[None, :]) * torch.hann_window(kernel, periodic=False)
        self.conv.weight.data.copy_((bank / bank.norm(dim=1, keepdim=True))[:, None, :])
        self.conv.weight.requires_grad_(False)
        self.pool = nn.AvgPool1d(8)

    def forward(self, x):
        return torch.log(self.pool(self.conv(x) ** 2) + 1e-4)


def setup():
    torch.manual_seed(1)
    rng = np.random.default_rng(12)
    X_tr, y_tr = clips(1500, rng)
    X_va, y_va = clips(500, rng)
    model = nn.Sequential(
        LogFilterbank(),
        nn.BatchNorm1d(24),
        nn.Conv1d(24, 32, 3, padding=1), nn.ReLU(),
        nn.Conv1d(32, 32, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        nn.Linear(32, len(CLASSES)),
    )
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(label_smoothing=0.1),
        optimizer=lambda params: torch.optim.AdamW([p for p in params if p.requires_grad], lr=2e-3, weight_decay=1e-2),
        batch_size=32,
    )
