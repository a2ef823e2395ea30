"""Road-tunnel ventilation: longitudinal air velocity from the SCADA snapshot.

The 2.4 km bidirectional tunnel has 12 jet-fan pairs; the control room wants a
soft sensor for the air velocity at mid-tunnel (positive = towards the north
portal) to cross-check the anemometer, which ices up in winter.
"""
import math
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(3)
rng = np.random.default_rng(3)


def scada_snapshots(n):
    fans = rng.integers(-12, 13, n) / 12.0            # net jet-fan pairs on, signed by direction
    fans = fans + rng.normal(0, 0.02, n)
    dp_portal = rng.normal(0.0, 18.0, n)               # Pa, north minus south barometric difference
    veh_north = rng.gamma(3.0, 6.0, n)                 # vehicles/min heading north
    veh_south = rng.gamma(3.0, 6.0, n)
    wind_n = rng.normal(0.0, 4.0, n)                   # m/s wind component across the north portal
    dT = rng.normal(4.0, 3.0, n)                       # K, tunnel minus outside
    drive = (5.2 * fans + 0.09 * dp_portal + 0.06 * (veh_north - veh_south)
             + 0.25 * wind_n + 0.15 * dT * np.sign(dp_portal))
    v = np.sign(drive) * np.sqrt(np.abs(drive)) * 1.9 + rng.normal(0, 0.25, n)
    X = np.column_stack([fans, dp_portal, veh_north, veh_south, wind_n, dT])
    return X.astype(np.float32), v.astype(np.float32)


X, v = scada_snapshots(2500)
X_tr, X_va, v_tr, v_va = X[:2000], X[2000:], v[:2000], v[2000:]
mu, sd = X_tr.mean(0), X_tr.std(0)
X_tr = torch.from_numpy((X_tr - mu) / sd)
X_va = torch.from_numpy((X_va - mu) / sd)
v_tr = torch.from_numpy(v_tr).unsqueeze(1)
v_va = torch.from_numpy(v_va).unsqueeze(1)

widths = [X_tr.shape[1], 64, 64, 1]
layers = []
for w_in, w_out in zip(widths[:-1], widths[1:]):
    layers += [nn.Linear(w_in, w_out), nn.ReLU()]
model = nn.Sequential(*layers[:-1])

lr = 0.05
batch = 32
epochs = 60


def evaluate():
    model.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(X_va), 256):
            out = model(X_va[i:i + 256])
            total += F.mse_loss(out, v_va[i:i + 256], reduction="sum").item()
            n += len(out)
    model.train()
    return total / n


for epoch in range(epochs):
    perm = torch.randperm(len(X_tr))
    running = 0.0
    for i in range(0, len(X_tr), batch):
        idx = perm[i:i + batch]
        loss = F.mse_loss(model(X_tr[idx]), v_tr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(idx)
    if epoch % 10 == 9:
        print(f"epoch {epoch + 1:3d}  train mse {running / len(X_tr):.4f}  val mse {evaluate():.4f}")

val_mse = evaluate()
r2 = 1 - val_mse / v_va.var(unbiased=False).item()
print(f"val RMSE {math.sqrt(val_mse):.3f} m/s  R2 {r2:.3f}")
