"""Annual heating demand of buildings from an audit table (simulated).

Columns: floor area [m2], year built, window-to-wall ratio, envelope U-value [W/m2K],
heating degree days, occupants. Target: heating demand in kWh/m2/yr.
Small MLP trained with a hand-rolled SGD update.
"""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(7)
rng = np.random.default_rng(7)

N = 3000
area = rng.lognormal(6.0, 0.9, N)
year = rng.integers(1900, 2021, N).astype(float)
wwr = rng.uniform(0.1, 0.6, N)
u_val = np.clip(rng.normal(1.6, 0.5, N) - (year - 1900) / 120 * 1.2, 0.15, 3.0)
hdd = rng.uniform(1800, 4500, N)
occ = np.maximum(1, area / rng.uniform(20, 60, N)).round()

demand = (
    hdd / 1000 * (18 * u_val + 60 * wwr ** 2 + 25 * wwr * u_val)
    + 40 * np.exp(-area / 800)
    - 0.6 * occ / np.sqrt(area) * 10
    + rng.normal(0, 4, N)
)
X = np.column_stack([area, year, wwr, u_val, hdd, occ]).astype(np.float32)
y = demand.astype(np.float32)

idx = rng.permutation(N)
tr, va = idx[:2400], idx[2400:]
X_tr, X_va, y_tr, y_va = X[tr], X[va], y[tr], y[va]

mu = X_tr.mean(axis=0)
sd = X_tr.std()
X_tr = (X_tr - mu) / sd
X_va = (X_va - mu) / sd
y_mu, y_sd = y_tr.mean(), y_tr.std()

Xt = torch.tensor(X_tr)
yt = torch.tensor((y_tr - y_mu) / y_sd).unsqueeze(1)
Xv = torch.tensor(X_va)
yv = torch.tensor((y_va - y_mu) / y_sd).unsqueeze(1)

model = nn.Sequential(
    nn.Linear(6, 64), nn.Tanh(),
    nn.Linear(64, 64), nn.Tanh(),
    nn.Linear(64, 1),
)

lr = 0.05
batch = 64
epochs = 40
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(Xt))
    for i in range(0, len(Xt), batch):
        j = perm[i:i + batch]
        loss = nn.functional.mse_loss(model(Xt[j]), yt[j])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    if epoch % 10 == 9 or epoch == epochs - 1:
        model.eval()
        with torch.no_grad():
            sse = nn.functional.mse_loss(model(Xv), yv, reduction="sum").item()
        print(f"epoch {epoch + 1:3d}  train_mse {loss.item():.4f}  val_mse {sse / len(Xv):.4f}")

model.eval()
with torch.no_grad():
    pred = model(Xv) * y_sd + y_mu
sse = ((pred.squeeze(1) - torch.tensor(y_va)) ** 2).sum().item()
sst = ((torch.tensor(y_va) - y_va.mean()) ** 2).sum().item()
print(f"final val R2 {1 - sse / sst:.4f}  RMSE {np.sqrt(sse / len(y_va)):.2f} kWh/m2")
