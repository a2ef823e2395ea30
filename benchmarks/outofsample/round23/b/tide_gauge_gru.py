"""Six-hour-ahead sea-level forecast at a harbour tide gauge.

Inputs: the last 48 hourly readings of water level, barometric pressure and the onshore wind
component. The astronomical tide is a sum of harmonic constituents; the storm surge on top of it
follows pressure and wind with a lag. Target: the water level for the next 6 hours.
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEED = 11
HIST, HORIZON = 48, 6
EPOCHS = 15
BATCH = 64
LR = 0.1
MAX_GRAD_NORM = 1.0

torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

# ---- synthetic gauge record: 14 months of hourly data -------------------------------------
hours = np.arange(24 * 420, dtype=np.float64)
constituents = {"M2": (12.42, 1.10), "S2": (12.00, 0.38), "N2": (12.66, 0.21), "K1": (23.93, 0.31),
                "O1": (25.82, 0.22)}
tide = sum(a * np.cos(2 * math.pi * hours / p + rng.uniform(0, 2 * math.pi))
           for p, a in constituents.values())
pressure = np.zeros_like(hours)
wind = np.zeros_like(hours)
for t in range(1, len(hours)):
    pressure[t] = 0.995 * pressure[t - 1] + rng.normal(0, 0.6)
    wind[t] = 0.97 * wind[t - 1] + rng.normal(0, 0.8)
surge = np.zeros_like(hours)
for t in range(6, len(hours)):
    surge[t] = 0.9 * surge[t - 1] + 0.004 * (-pressure[t - 3]) + 0.012 * wind[t - 6] + rng.normal(0, 0.01)
level = 2.4 + tide + surge + rng.normal(0, 0.03, size=hours.shape)      # metres above chart datum
pressure_hpa = 1013.0 + pressure
series = np.stack([level, pressure_hpa, wind], axis=1).astype(np.float32)

# ---- windows, chronological split -----------------------------------------------------------
starts = np.arange(0, len(series) - HIST - HORIZON, 4)
X = np.stack([series[s:s + HIST] for s in starts])
Y = np.stack([series[s + HIST:s + HIST + HORIZON, 0] for s in starts])
n_train = int(0.8 * len(starts))
gap = HIST // 3 + 1                                          # windows overlapping the boundary
X_tr, Y_tr = X[:n_train], Y[:n_train]
X_va, Y_va = X[n_train + gap:], Y[n_train + gap:]

mu, sd = X_tr.reshape(-1, 3).mean(0), X_tr.reshape(-1, 3).std(0)
X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
Y_tr, Y_va = (Y_tr - mu[0]) / sd[0], (Y_va - mu[0]) / sd[0]

train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(Y_tr)), batch_size=BATCH,
                          shuffle=True, drop_last=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(Y_va)), batch_size=512)


class SurgeGRU(nn.Module):
    def __init__(self, n_in=3, hidden=48, horizon=HORIZON):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, horizon)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])


model = SurgeGRU()
optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9, nesterov=True)
criterion = nn.MSELoss()


def evaluate():
    model.eval()
    se, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            se += ((model(xb) - yb) ** 2).sum().item()
            n += yb.numel()
    return math.sqrt(se / n) * sd[0]          # RMSE in metres


for epoch in range(EPOCHS):
    model.train()
    running = 0.0
    for i, (xb, yb) in enumerate(train_loader):
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), LR)
        optimizer.step()
        running += loss.item()
    print(f"epoch {epoch + 1:2d} | train mse {running / (i + 1):.4f} | val rmse {evaluate():.3f} m")

print(f"final val RMSE (m): {evaluate():.4f}")
