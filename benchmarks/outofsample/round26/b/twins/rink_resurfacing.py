"""Predict the water a Zamboni pass needs (litres) from rink sensor readings before the pass.
Small MLP, hand-written minibatch SGD (no torch.optim)."""
import numpy as np
import torch
from torch import nn

torch.manual_seed(11)
rng = np.random.default_rng(11)

N = 3000
ice_temp = rng.normal(-5.5, 1.2, N)            # deg C at the slab
air_temp = rng.normal(9.0, 3.0, N)             # deg C in the bowl
humidity = rng.uniform(30, 75, N)              # % RH
skaters = rng.poisson(lam=rng.choice([25, 60, 140], N))   # public / figure / hockey session
minutes = rng.uniform(30, 120, N)              # since the previous pass
blade_mm = rng.normal(1.2, 0.25, N)            # blade depth setting
water_temp = rng.normal(60, 6, N)              # deg C, hot-water flood
snow_kg = 0.4 * skaters * minutes / 60 * (1 + 0.02 * (air_temp - 9)) + rng.normal(0, 6, N)
rut_depth = 0.8 + 0.006 * skaters + 0.002 * minutes + rng.normal(0, 0.15, N)

litres = (180 + 1.6 * snow_kg + 95 * rut_depth * blade_mm - 6.0 * (ice_temp + 5.5)
          + 0.9 * (humidity - 50) * np.tanh((air_temp - 9) / 4) + 0.8 * (water_temp - 60)
          + rng.normal(0, 12, N))

X = np.stack([ice_temp, air_temp, humidity, skaters, minutes, blade_mm, water_temp,
              snow_kg, rut_depth], 1).astype(np.float32)
y = litres.astype(np.float32)[:, None]

idx = rng.permutation(N)
tr, va = idx[:2400], idx[2400:]
x_mu, x_sd = X[tr].mean(0), X[tr].std(0)
y_mu, y_sd = y[tr].mean(), y[tr].std()
Xtr = torch.tensor((X[tr] - x_mu) / x_sd); ytr = torch.tensor((y[tr] - y_mu) / y_sd)
Xva = torch.tensor((X[va] - x_mu) / x_sd); yva = torch.tensor(y[va])

model = nn.Sequential(nn.Linear(9, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))

lr, batch_size, epochs = 0.05, 64, 30
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(Xtr))
    running = 0.0
    for i in range(0, len(Xtr), batch_size):
        b = perm[i:i + batch_size]
        pred = model(Xtr[b])
        loss = ((pred - ytr[b]) ** 2).mean()
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(b)
    if epoch in (10, 20):
        lr *= 0.5
    model.eval()
    with torch.no_grad():
        pv = model(Xva) * y_sd + y_mu
        rmse = torch.sqrt(((pv - yva) ** 2).mean()).item()
    if epoch % 5 == 0 or epoch == epochs - 1:
        print(f"epoch {epoch:2d} train loss {running / len(Xtr):.4f} val RMSE {rmse:.2f} L")

r2 = 1 - ((pv - yva) ** 2).sum().item() / ((yva - yva.mean()) ** 2).sum().item()
print(f"final val RMSE {rmse:.2f} litres R2 {r2:.4f}")
