"""Cold-storage warehouse: estimate frost thickness on an evaporator coil (mm) from the last 10 hours of
controller telemetry (coil temperature, suction pressure, fan current, room temperature, door-open
flag, compressor on/off), so the defrost cycle starts on need instead of a timer.
GRU with an EMA copy of the weights; the EMA model is saved whole and reloaded for the final score.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)
SEQ = 120          # 5-min samples, 10 h
N = 2000


def unit_trace():
    humidity = rng.uniform(0.4, 0.9)
    door_rate = rng.uniform(0.01, 0.08)
    room_set = rng.uniform(-24, -16)
    frost = rng.uniform(0.0, 0.6)
    doors = (rng.random(SEQ) < door_rate).astype(float)
    doors = np.convolve(doors, np.ones(3), mode="same").clip(0, 1)
    coil, suction, fan, room, comp = [], [], [], [], []
    r = room_set
    on = 1.0
    for t in range(SEQ):
        frost += (0.004 * humidity + 0.05 * doors[t] * humidity) * on
        r += -0.9 * on / (1 + 0.8 * frost) + 0.35 + 2.5 * doors[t] + rng.normal(0, 0.15)
        if r > room_set + 1.0:
            on = 1.0
        elif r < room_set - 1.0:
            on = 0.0
        c = r - (8 + 3.0 * frost) * on + rng.normal(0, 1.2)          # frost insulates the coil
        coil.append(c)
        suction.append(1.1 + on * (0.03 * c - 0.08 * frost) + rng.normal(0, 0.06))
        fan.append(on * (2.0 + 0.35 * frost ** 1.5) + rng.normal(0, 0.25))   # blocked fins load the fan
        room.append(r)
        comp.append(on)
    x = np.stack([coil, suction, fan, room, doors, comp], 1)
    return x, frost


data = [unit_trace() for _ in range(N)]
X = np.stack([d[0] for d in data]).astype(np.float32)
y = np.array([d[1] for d in data], dtype=np.float32)
n_tr = 1600
mu, sd = X[:n_tr].reshape(-1, 6).mean(0), X[:n_tr].reshape(-1, 6).std(0)
X = (X - mu) / sd
y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
Y = (y - y_mu) / y_sd

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(Y[:n_tr])),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[n_tr:]), torch.from_numpy(Y[n_tr:])), batch_size=200)


class FrostGRU(nn.Module):
    def __init__(self, n_in=6, hidden=48):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.out = nn.Sequential(nn.Linear(2 * hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        h, last = self.gru(x)
        feats = torch.cat([last[-1], h.mean(1)], dim=1)
        return self.out(feats).squeeze(-1)


model = FrostGRU()
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
EMA_DECAY = 0.95


def evaluate(net):
    net.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            total += F.mse_loss(net(xb), yb, reduction="sum").item()
            n += len(yb)
    return total / n


for epoch in range(1, 11):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.mse_loss(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=3.0)
        optimizer.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(EMA_DECAY).add_(pm, alpha=1 - EMA_DECAY)
    print(f"epoch {epoch} train {loss.item():.4f} val mse {evaluate(model):.4f} ema val mse {evaluate(ema):.4f}")

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "frost_gru_ema.pt")
    torch.save(ema, path)
    deployed = torch.load(path, weights_only=False)

mse = evaluate(deployed)
with torch.no_grad():
    pred = torch.cat([deployed(xb) for xb, _ in val_loader]) * y_sd + y_mu
mae = (pred - torch.from_numpy(y[n_tr:])).abs().mean().item()
print(f"final EMA val MSE (standardised) {mse:.4f}  R2 {1 - mse / Y[n_tr:].var():.4f}  MAE {mae:.3f} mm")
