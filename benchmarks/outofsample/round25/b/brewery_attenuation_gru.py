"""Final attenuation of a lager batch from the first three days of fermenter telemetry.

Every conical fermenter logs wort temperature, glycol-jacket valve duty and CO2 off-gas flow
once an hour. The brewer wants the expected apparent attenuation (%) at 72 h to decide whether
to raise the temperature for a diacetyl rest early. A small GRU reads the 72 hourly readings.
Gradient clipping is kept on as routine insurance for the recurrent net, the LR follows a
one-cycle schedule stepped per batch, and the best epoch on validation is kept (early stopping).
"""
import copy

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(23)
rng = np.random.default_rng(23)

N, T = 1200, 72
hours = np.arange(T)


def fermenter_batch():
    setpoint = rng.uniform(9.0, 13.0)
    pitch = rng.lognormal(0, 0.25)                       # relative pitch rate
    capacity = rng.uniform(70, 86)                        # strain/wort attainable attenuation, %
    og = rng.uniform(11.0, 13.5)                          # original gravity, degrees Plato
    k = 0.055 * pitch * np.exp(0.09 * (setpoint - 11)) * rng.lognormal(0, 0.1)
    lag = rng.uniform(6, 18) / pitch
    frac = 1 / (1 + np.exp(-k * (hours - lag - 30)))     # share of attainable sugar used
    extract_used = og * capacity / 100 * frac
    co2 = np.gradient(extract_used) * 4.0 + rng.normal(0, 0.03, T)
    heat = np.convolve(np.gradient(extract_used), np.ones(4) / 4, mode="same")
    temp = setpoint + 6.0 * heat + rng.normal(0, 0.08, T)
    valve = np.clip(0.15 + 3.5 * heat + 0.4 * (temp - setpoint) + rng.normal(0, 0.03, T), 0, 1)
    atten_72h = 100 * extract_used[-1] / og + rng.normal(0, 1.0)
    return np.stack([temp, valve, co2], axis=1), atten_72h


seqs, ys = zip(*[fermenter_batch() for _ in range(N)])
X = np.stack(seqs).astype(np.float32)                    # (N, T, 3)
y = np.array(ys, dtype=np.float32)

idx = rng.permutation(N)
tr, va = idx[:960], idx[960:]
mu, sd = X[tr].mean((0, 1)), X[tr].std((0, 1))
X = (X - mu) / sd
y_mu, y_sd = y[tr].mean(), y[tr].std()
Y = (y - y_mu) / y_sd

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(Y[tr])),
                          batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(Y[va])), batch_size=240)


class AttenuationGRU(nn.Module):
    def __init__(self, n_in=3, hidden=48):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        out, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)


model = AttenuationGRU()
epochs = 20
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=epochs,
                                                steps_per_epoch=len(train_loader))
criterion = nn.MSELoss()

best_val, best_state, patience, bad = float("inf"), None, 4, 0
for epoch in range(1, epochs + 1):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        val = sum(criterion(model(xb), yb).item() * len(xb) for xb, yb in val_loader) / len(va)
    print(f"epoch {epoch:2d} train_mse {total / len(tr):.4f} val_mse {val:.4f} lr {scheduler.get_last_lr()[0]:.2e}")
    if val < best_val - 1e-4:
        best_val, best_state, bad = val, copy.deepcopy(model.state_dict()), 0
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch}")
            break

model.load_state_dict(best_state)
model.eval()
with torch.no_grad():
    pred = torch.cat([model(xb) for xb, _ in val_loader]).numpy() * y_sd + y_mu
true = y[va]
mae = np.abs(pred - true).mean()
r2 = 1 - ((pred - true) ** 2).sum() / ((true - true.mean()) ** 2).sum()
print(f"final val_MAE={mae:.2f} %-points val_R2={r2:.4f}")
