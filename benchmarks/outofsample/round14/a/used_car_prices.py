"""Used-car listing prices: log-price regression from listing attributes.

The listings export comes sorted by price. Features: age, mileage, engine size,
power, owners, a condition score and a few equipment scores.
"""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)


def listings(n, rng):
    age = rng.uniform(0, 18, n)
    km = np.clip(age * rng.normal(14000, 4000, n) + rng.normal(0, 5000, n), 0, None)
    engine = rng.choice([1.0, 1.2, 1.4, 1.6, 2.0, 2.5, 3.0], n)
    power = 55 * engine + rng.normal(0, 12, n)
    owners = 1 + rng.poisson(age / 6)
    cond = np.clip(rng.normal(3.5 - 0.08 * age, 0.7), 1, 5)
    equip = rng.normal(0, 1, (n, 4))
    logp = (10.4 - 0.11 * age + 0.0025 * age ** 2 - 2.2e-6 * km + 0.35 * np.log(power)
            + 0.09 * cond - 0.04 * owners + equip @ np.array([0.12, 0.06, -0.05, 0.03])
            + 0.05 * np.sin(power / 20) + rng.normal(0, 0.08, n))
    X = np.column_stack([age, km, engine, power, owners, cond, equip])
    return X.astype(np.float32), logp.astype(np.float32)


X, y = listings(6000, rng)
s = np.argsort(y)                      # as exported
X, y = X[s], y[s]
X_new, y_new = listings(1500, rng)     # listings that arrived after the export

idx = np.arange(len(X))
n_tr = int(0.8 * len(X))
tr, va = idx[:n_tr], idx[n_tr:]

x_mu, x_sd = X[tr].mean(0), X[tr].std(0)
y_mu, y_sd = y[tr].mean(), y[tr].std()


def tensors(Xa, ya):
    return TensorDataset(torch.from_numpy((Xa - x_mu) / x_sd), torch.from_numpy((ya - y_mu) / y_sd))


train_loader = DataLoader(tensors(X[tr], y[tr]), batch_size=64, shuffle=True)
val_loader = DataLoader(tensors(X[va], y[va]), batch_size=256)
new_loader = DataLoader(tensors(X_new, y_new), batch_size=256)

model = nn.Sequential(
    nn.Linear(X.shape[1], 96), nn.SiLU(),
    nn.Linear(96, 96), nn.SiLU(),
    nn.Linear(96, 1),
)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
loss_fn = nn.MSELoss()


@torch.no_grad()
def evaluate(loader):
    model.eval()
    sse, sst, n = 0.0, 0.0, 0
    ys = torch.cat([yb for _, yb in loader])
    ybar = ys.mean()
    for xb, yb in loader:
        pred = model(xb).squeeze(1)
        sse += nn.functional.mse_loss(pred, yb, reduction="sum").item()
        sst += ((yb - ybar) ** 2).sum().item()
        n += len(yb)
    rmse_log = (sse / n) ** 0.5 * y_sd
    return sse / n, 1 - sse / sst, rmse_log


for epoch in range(15):
    model.train()
    tot = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
        tot += loss.item() * len(xb)
    vl, vr2, vrmse = evaluate(val_loader)
    print(f"epoch {epoch + 1:2d}  train_mse {tot / len(tr):.4f}  val_mse {vl:.4f}  val_r2 {vr2:.4f}  "
          f"val_rmse(log-price) {vrmse:.4f}")

_, nr2, nrmse = evaluate(new_loader)
print(f"final val_r2 {vr2:.4f}  val_rmse_log {vrmse:.4f}  new_listings_r2 {nr2:.4f}  new_listings_rmse_log {nrmse:.4f}")
