"""Hourly heating/cooling load of office buildings from weather, occupancy and envelope data.

Three-hidden-layer ReLU MLP, trained with a hand-written SGD update and a cosine LR decay.
"""
import math
import numpy as np
import torch
from torch import nn

torch.manual_seed(11)
rng = np.random.default_rng(11)

N = 7000
hour = rng.integers(0, 24, N)
doy = rng.integers(0, 365, N)
temp = 10 - 12 * np.cos(2 * np.pi * doy / 365) + 5 * np.sin(2 * np.pi * (hour - 9) / 24) + rng.normal(0, 3, N)
humidity = np.clip(rng.normal(60, 15, N), 10, 100)
occupancy = np.where((hour >= 8) & (hour <= 18), rng.uniform(0.4, 1.0, N), rng.uniform(0.0, 0.15, N))
area = rng.lognormal(8.0, 0.5, N)
u_value = rng.uniform(0.2, 1.5, N)
glazing = rng.uniform(0.1, 0.6, N)
solar = np.maximum(0, np.sin(np.pi * (hour - 6) / 12)) * (0.6 + 0.4 * np.sin(2 * np.pi * (doy - 80) / 365))

heating = np.maximum(0, 18 - temp) * u_value * (1 + 0.3 * glazing)
cooling = np.maximum(0, temp - 22) * (0.5 + glazing) + 8 * solar * glazing + 4 * occupancy
load = (heating + cooling) * np.log(area) / 8 + 0.02 * humidity * occupancy + rng.normal(0, 0.4, N)

X = np.column_stack([
    temp, humidity, occupancy, np.log(area), u_value, glazing, solar,
    np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
    np.sin(2 * np.pi * doy / 365), np.cos(2 * np.pi * doy / 365),
]).astype(np.float32)
y = load.astype(np.float32)

idx = rng.permutation(N)
tr, va = idx[:5600], idx[5600:]
x_mean, x_std = X[tr].mean(0), X[tr].std(0)
y_mean, y_std = y[tr].mean(), y[tr].std()
Xtr = torch.from_numpy((X[tr] - x_mean) / x_std)
Xva = torch.from_numpy((X[va] - x_mean) / x_std)
ytr = torch.from_numpy((y[tr] - y_mean) / y_std)
yva = torch.from_numpy((y[va] - y_mean) / y_std)

model = nn.Sequential(
    nn.Linear(X.shape[1], 128), nn.ReLU(),
    nn.Linear(128, 128), nn.ReLU(),
    nn.Linear(128, 64), nn.ReLU(),
    nn.Linear(64, 1),
)

EPOCHS, BATCH = 25, 32
base_lr = 5e-2
steps_per_epoch = math.ceil(len(Xtr) / BATCH)
total = EPOCHS * steps_per_epoch
step = 0


def evaluate():
    model.eval()
    with torch.no_grad():
        sse = ((model(Xva).squeeze(1) - yva) ** 2).sum().item()
    model.train()
    return sse / len(yva)


for epoch in range(EPOCHS):
    perm = torch.randperm(len(Xtr))
    total_loss = 0.0
    for i in range(0, len(Xtr), BATCH):
        b = perm[i:i + BATCH]
        pred = model(Xtr[b]).squeeze(1)
        loss = nn.functional.mse_loss(pred, ytr[b])
        model.zero_grad()
        loss.backward()
        lr = 0.5 * base_lr * (1 + math.cos(math.pi * step / total))
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        step += 1
        total_loss += loss.item() * len(b)
    if epoch % 5 == 4 or epoch == 0:
        print(f"epoch {epoch + 1:2d}  lr {lr:.4f}  train mse {total_loss / len(Xtr):.4f}  val mse {evaluate():.4f}")

mse = evaluate()
rmse_kw = math.sqrt(mse) * y_std
print(f"final val mse {mse:.4f}  R2 {1 - mse / yva.var(unbiased=False).item():.4f}  RMSE {rmse_kw:.3f} kW/m2")
