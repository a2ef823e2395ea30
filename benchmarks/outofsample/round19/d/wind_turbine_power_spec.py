"""Wind-turbine SCADA power-curve model (10-minute averages): checkup spec.

Inputs: hub-height wind speed and its 10-min std, nacelle-relative wind direction (as a
frozen random-Fourier encoding of the angle), air density, blade pitch, rotor speed,
ambient temperature. Target: active power as a fraction of rated power. The SCADA record
includes curtailment and icing periods (power far below the curve), so the loss is Huber;
the output bias starts at the mean training output.
"""
import numpy as np
import torch
from torch import nn
import nndoctor


def make_scada(n, rng):
    ws = rng.weibull(2.1, n) * 8.5
    ti = ws * rng.uniform(0.06, 0.18, n)
    yaw_err = rng.normal(0, 12, n)                     # degrees
    rho = rng.normal(1.225, 0.04, n)
    temp = rng.normal(9, 8, n)
    v_eff = ws * np.cos(np.deg2rad(yaw_err)) ** (1 / 3) * (rho / 1.225) ** (1 / 3)
    curve = np.clip((v_eff - 3.0) / (12.0 - 3.0), 0, 1) ** 2.4
    curve = np.where(v_eff > 25, 0.0, np.minimum(curve * (1 + 0.15 * ti / np.maximum(ws, 1)), 1.0))
    pitch = np.where(curve >= 0.99, 2 + 1.6 * (ws - 12).clip(0), rng.normal(0.5, 0.3, n))
    rotor = np.clip(6 + 1.1 * ws, 6, 16) + rng.normal(0, 0.3, n)
    power = curve + rng.normal(0, 0.02, n)
    curtailed = rng.random(n) < 0.05
    power = np.where(curtailed, np.minimum(power, rng.uniform(0.1, 0.5, n)), power)
    icing = (temp < 0) & (rng.random(n) < 0.15)
    power = np.where(icing, power * rng.uniform(0.3, 0.8, n), power)
    power = np.clip(power, -0.01, 1.02)
    num = np.stack([ws, ti, rho, pitch, rotor, temp], 1)
    return num, yaw_err, power


class FourierAngle(nn.Module):
    """Fixed random Fourier features of an angle (not trained)."""

    def __init__(self, n_freq=8, seed=0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.freq = nn.Parameter(torch.randn(n_freq, generator=g) * 2.0, requires_grad=False)
        self.phase = nn.Parameter(torch.rand(n_freq, generator=g) * 6.2832, requires_grad=False)

    def forward(self, angle):
        return torch.cos(angle[:, None] * self.freq + self.phase)


class PowerCurveNet(nn.Module):
    def __init__(self, n_num, out_bias):
        super().__init__()
        self.angle = FourierAngle()
        self.mlp = nn.Sequential(nn.Linear(n_num + 8, 48), nn.SiLU(), nn.Linear(48, 48), nn.SiLU(), nn.Linear(48, 1))
        nn.init.constant_(self.mlp[-1].bias, out_bias)

    def forward(self, x):
        num, angle = x[:, :-1], x[:, -1]
        return self.mlp(torch.cat([num, self.angle(angle)], 1)).squeeze(1)


def setup():
    rng = np.random.default_rng(4)
    num, yaw, power = make_scada(6000, rng)
    idx = rng.permutation(len(power))
    tr, va = idx[:4800], idx[4800:]
    mu, sd = num[tr].mean(0), num[tr].std(0)
    X = np.concatenate([(num - mu) / sd, np.deg2rad(yaw)[:, None]], 1).astype(np.float32)
    y = power.astype(np.float32)

    torch.manual_seed(0)
    model = PowerCurveNet(num.shape[1], float(y[tr].mean()))
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
        val=(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
        loss=nn.HuberLoss(delta=0.05),
        optimizer=lambda params: torch.optim.AdamW([p for p in params if p.requires_grad], lr=2e-3, weight_decay=1e-3),
        batch_size=64,
    )
