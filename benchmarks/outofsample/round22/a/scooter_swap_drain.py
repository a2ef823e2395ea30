# Battery drain forecast for the e-scooter fleet: how many percentage points of charge a
# scooter will lose over the next 4 hours, used to plan the swap van's route.
import numpy as np
import torch
from torch import nn

torch.manual_seed(3)
rng = np.random.default_rng(3)

N = 6000
hour = rng.integers(0, 24, N)
temp_c = rng.normal(14, 8, N)
charge = rng.uniform(15, 100, N)
zone_demand = rng.gamma(2.0, 1.0, N)
trips_1h = rng.poisson(0.4 + 0.6 * zone_demand * (1 + np.sin((hour - 8) / 24 * 2 * np.pi)).clip(0.1))
km_3h = rng.gamma(1.0 + trips_1h, 1.8)
# a scooter that just ended a trip has been idle 0 minutes (about one in six)
idle_min = np.where(rng.random(N) < 0.17, 0.0, rng.exponential(70, N).round())
firmware_v2 = (rng.random(N) < 0.4).astype(float)

rush = np.exp(-((hour - 8) ** 2) / 6) + np.exp(-((hour - 18) ** 2) / 8)
cold = np.clip(8 - temp_c, 0, None)
drain = (4 + 6.0 * zone_demand * (0.5 + rush) + 1.2 * km_3h + 0.6 * cold
         - 3.0 * np.log1p(idle_min) / np.log(300) * zone_demand - 2.5 * firmware_v2
         + rng.normal(0, 2.5, N))
drain = np.minimum(drain, charge)


def featurize(idx):
    return np.stack([
        charge[idx], temp_c[idx], zone_demand[idx], trips_1h[idx], km_3h[idx],
        np.log(idle_min[idx]), firmware_v2[idx],
        np.sin(hour[idx] / 24 * 2 * np.pi), np.cos(hour[idx] / 24 * 2 * np.pi),
    ], axis=1)


perm = rng.permutation(N)
tr, va = perm[:4800], perm[4800:]
X_tr, X_va = featurize(tr), featurize(va)
# robust scaling (median / IQR) fitted on the training rows
med = np.median(X_tr, axis=0)
iqr = np.subtract(*np.percentile(X_tr, [75, 25], axis=0))
iqr[iqr == 0] = 1.0
X_tr, X_va = (X_tr - med) / iqr, (X_va - med) / iqr
y_mu, y_sd = drain[tr].mean(), drain[tr].std()

Xt = torch.tensor(X_tr, dtype=torch.float32)
yt = torch.tensor((drain[tr] - y_mu) / y_sd, dtype=torch.float32).unsqueeze(1)
Xv = torch.tensor(X_va, dtype=torch.float32)
yv = torch.tensor(drain[va], dtype=torch.float32).unsqueeze(1)

model = nn.Sequential(nn.Linear(9, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
loss_fn = nn.MSELoss()
base_lr, batch_size, epochs = 0.05, 32, 45

for epoch in range(epochs):
    lr = base_lr * 0.5 ** (epoch // 15)
    order = torch.randperm(len(Xt))
    running = 0.0
    for i in range(0, len(Xt), batch_size):
        idx = order[i:i + batch_size]
        loss = loss_fn(model(Xt[idx]), yt[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(idx)
    if epoch % 5 == 4 or epoch == epochs - 1:
        with torch.no_grad():
            pred = model(Xv) * y_sd + y_mu
            rmse = torch.sqrt(((pred - yv) ** 2).mean()).item()
        print(f"epoch {epoch + 1:2d}  train mse {running / len(Xt):.4f}  val rmse {rmse:.3f} pp")

r2 = 1 - ((pred - yv) ** 2).sum().item() / ((yv - yv.mean()) ** 2).sum().item()
print(f"final val_rmse={rmse:.3f} val_r2={r2:.4f}")
