# Corrosion rate (mm/year) of buried pipeline segments from an in-line-inspection
# ultrasonic wall-thickness trace plus operating data. 1D CNN on the trace, MLP on the
# tabular part; plain SGD written out by hand (no optimizer object), per-epoch LR decay.
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
rng = np.random.default_rng(7)

N, L = 3200, 96


def make_segments(n):
    age = rng.uniform(5, 60, n)                   # years in service
    temp = rng.normal(45, 12, n)                  # product temperature, C
    water_cut = rng.beta(2, 5, n)                 # share of water in the product
    cp_potential = rng.normal(-0.95, 0.12, n)     # cathodic protection, V vs CSE
    soil_res = rng.lognormal(3.5, 0.6, n)         # ohm*m
    pos = np.linspace(0, 1, L)
    traces = np.empty((n, L))
    rate = np.empty(n)
    for i in range(n):
        k = rng.poisson(2 + 4 * water_cut[i])      # number of pits along the segment
        depth = np.zeros(L)
        pits = []
        for _ in range(k):
            c, w = rng.uniform(0, 1), rng.uniform(0.01, 0.05)
            d = rng.gamma(2.0, 0.4) * (1 + water_cut[i])
            depth += d * np.exp(-0.5 * ((pos - c) / w) ** 2)
            pits.append(d)
        general = 0.02 * age[i] * (1 + 2 * water_cut[i]) * (cp_potential[i] > -0.85)
        traces[i] = 9.5 - general - depth + rng.normal(0, 0.08, L)
        max_pit = max(pits) if pits else 0.0
        rate[i] = (0.05 + 0.6 * max_pit / age[i] * 10 + 0.04 * general
                   + 0.002 * (temp[i] - 45) * water_cut[i] * 10
                   + 0.05 * np.exp(-(soil_res[i] - 10) / 20).clip(0, 3)) + rng.normal(0, 0.04)
    tab = np.column_stack([age, temp, water_cut, cp_potential, np.log(soil_res)])
    return traces.astype(np.float32), tab.astype(np.float32), rate.astype(np.float32)


traces, tab, rate = make_segments(N)
idx = rng.permutation(N)
tr, va = idx[:2600], idx[2600:]

t_mu, t_sd = traces[tr].mean(), traces[tr].std()
x_mu, x_sd = tab[tr].mean(0), tab[tr].std(0)
y_mu, y_sd = rate[tr].mean(), rate[tr].std()


def tensors(ix):
    return (torch.from_numpy((traces[ix] - t_mu) / t_sd).unsqueeze(1),
            torch.from_numpy((tab[ix] - x_mu) / x_sd),
            torch.from_numpy((rate[ix] - y_mu) / y_sd).unsqueeze(1))


train_loader = DataLoader(TensorDataset(*tensors(tr)), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(*tensors(va)), batch_size=256)


class CorrosionNet(nn.Module):
    def __init__(self, n_tab):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Linear(64 + n_tab, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, trace, tab):
        h = self.conv(trace)
        h = torch.cat([h.mean(-1), h.amax(-1), tab], dim=1)
        return self.head(h)


model = CorrosionNet(tab.shape[1])

xb, tb, yb = next(iter(train_loader))
print("trace batch", tuple(xb.shape), "tabular batch", tuple(tb.shape), "target batch", tuple(yb.shape))

lr, momentum, epochs = 0.05, 0.9, 15
velocity = [torch.zeros_like(p) for p in model.parameters()]
for epoch in range(epochs):
    model.train()
    running = 0.0
    for trace, tabular, target in train_loader:
        loss = F.mse_loss(model(trace, tabular), target)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(momentum).add_(p.grad)
                p -= lr * v
        running += loss.item() * len(target)
    lr *= 0.85

    model.eval()
    sse, n = 0.0, 0
    with torch.no_grad():
        for trace, tabular, target in val_loader:
            sse += F.mse_loss(model(trace, tabular), target, reduction="sum").item()
            n += len(target)
    val_mse = sse / n
    print(f"epoch {epoch + 1:2d}  train_mse {running / len(tr):.4f}  val_mse {val_mse:.4f}")

rmse_mm = math.sqrt(val_mse) * y_sd
print(f"final val_r2 {1 - val_mse:.4f}  val_rmse {rmse_mm:.4f} mm/yr")
