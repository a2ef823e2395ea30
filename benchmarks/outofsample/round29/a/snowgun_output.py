# Snow-gun production model for the resort's fan guns.
# Predict snow output (m3/h) from the gun telemetry and the station's weather mast,
# so the night shift can decide which guns to start.  Small MLP, plain SGD written out
# by hand (the controller box has no optimizer library on it, so we keep the update explicit).
import numpy as np
import torch
from torch import nn

torch.manual_seed(3)
rng = np.random.default_rng(3)

n = 4000
air_t = rng.uniform(-16, 2, n)              # deg C
rh = rng.uniform(35, 98, n)                 # %
# wet-bulb (Stull approximation)
wet_bulb = (air_t * np.arctan(0.151977 * np.sqrt(rh + 8.313659)) + np.arctan(air_t + rh)
            - np.arctan(rh - 1.676331) + 0.00391838 * rh ** 1.5 * np.arctan(0.023101 * rh) - 4.686035)
water_t = rng.uniform(0.5, 6, n)            # deg C
water_p = rng.uniform(10, 40, n)            # bar
wind = rng.gamma(2.0, 1.5, n)               # m/s
nozzles = rng.integers(12, 37, n).astype(float)
fan_rpm = rng.uniform(1800, 3000, n)
elev = rng.uniform(1400, 2600, n)           # m

cold = np.clip(-2.5 - wet_bulb, 0, None)
flow = nozzles * np.sqrt(water_p) * 0.35
snow = flow * (1 - np.exp(-cold / 3.0)) * (1 - 0.04 * water_t) * (fan_rpm / 2500) ** 0.5
snow *= np.exp(-0.08 * np.clip(wind - 6, 0, None))
snow += rng.normal(0, 1.5, n)
snow = np.clip(snow, 0, None)

X = np.column_stack([air_t, rh, wet_bulb, water_t, water_p, wind, nozzles, fan_rpm, elev]).astype(np.float32)
y = snow.astype(np.float32)

idx = rng.permutation(n)
tr, va = idx[:3200], idx[3200:]
mu, sd = X[tr].mean(0), X[tr].std(0)
y_mu, y_sd = y[tr].mean(), y[tr].std()
Xtr = torch.from_numpy((X[tr] - mu) / sd)
Xva = torch.from_numpy((X[va] - mu) / sd)
ytr = torch.from_numpy((y[tr] - y_mu) / y_sd).unsqueeze(1)
yva = torch.from_numpy(y[va]).unsqueeze(1)

model = nn.Sequential(
    nn.Linear(X.shape[1], 64), nn.Tanh(),
    nn.Linear(64, 64), nn.Tanh(),
    nn.Linear(64, 1),
)
loss_fn = nn.MSELoss()

lr = 1e-4
epochs = 40
batch = 64
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(Xtr))
    running = 0.0
    for i in range(0, len(perm), batch):
        b = perm[i:i + batch]
        loss = loss_fn(model(Xtr[b]), ytr[b])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(b)
    if epoch % 5 == 4 or epoch == epochs - 1:
        model.eval()
        with torch.no_grad():
            pred = model(Xva) * y_sd + y_mu
            rmse = torch.sqrt(((pred - yva) ** 2).mean()).item()
            r2 = 1 - ((pred - yva) ** 2).sum().item() / ((yva - yva.mean()) ** 2).sum().item()
        print(f"epoch {epoch + 1:3d}  train mse {running / len(Xtr):.4f}  val rmse {rmse:.2f} m3/h  val R2 {r2:.3f}")

print(f"final val R2 {r2:.4f}  rmse {rmse:.3f}")
