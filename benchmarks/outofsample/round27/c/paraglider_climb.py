"""Thermal climb rate for a paragliding site.

From the valley weather station and the launch log (hour, solar radiation,
2 m temperature, dew-point spread, lapse rate from the morning sounding,
wind speed and direction at launch, cloud cover, the slope's aspect and
the pilot's wing class) predict the average climb rate (m/s) a pilot reports
in the first thermal.  Flights from two seasons of tracklogs.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)


def load_flights(n):
    hour = rng.uniform(10, 18, n)
    sun = np.clip(900 * np.sin(np.pi * (hour - 6) / 14) * rng.uniform(0.5, 1.0, n), 50, None)
    temp = rng.normal(24, 5, n)
    spread = rng.gamma(3, 3, n)
    lapse = rng.normal(7.5, 1.2, n)
    wind = rng.gamma(2, 2.5, n)
    wdir = rng.uniform(0, 2 * np.pi, n)
    cloud = rng.beta(2, 4, n)
    aspect = rng.uniform(0, 2 * np.pi, n)
    wing = rng.integers(0, 4, n).astype(float)      # EN-A .. EN-D
    facing = np.cos(aspect - np.pi * (hour - 6) / 12)
    climb = (0.003 * sun * (1 - 0.6 * cloud) * (0.7 + 0.3 * facing)
             + 0.35 * (lapse - 6.5) + 0.04 * spread
             - 0.05 * wind ** 1.3 * (1 + np.cos(wdir - aspect)) / 2
             + 0.12 * wing + rng.normal(0, 0.35, n))
    X = np.stack([hour, sun, temp, spread, lapse, wind, np.sin(wdir), np.cos(wdir), cloud,
                  np.sin(aspect), np.cos(aspect), wing], 1)
    return X.astype(np.float32), climb.astype(np.float32)


X, y = load_flights(4000)
split = 3200
mu, sd = X[:split].mean(0), X[:split].std(0)
X = (X - mu) / sd
train_ds = TensorDataset(torch.from_numpy(X[:split]), torch.from_numpy(y[:split]).unsqueeze(1))
val_ds = TensorDataset(torch.from_numpy(X[split:]), torch.from_numpy(y[split:]).unsqueeze(1))
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=400)

model = nn.Sequential(
    nn.Linear(X.shape[1], 128), nn.Tanh(),
    nn.Linear(128, 128), nn.Tanh(),
    nn.Linear(128, 1),
)
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)

for epoch in range(15):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        val_mse = sum(criterion(model(xb), yb).item() * len(xb) for xb, yb in val_loader) / len(val_ds)
    print(f"epoch {epoch + 1:2d}  train_mse {total / split:.4f}  val_mse {val_mse:.4f}")

ss_tot = ((y[split:] - y[split:].mean()) ** 2).mean()
print(f"final val MSE {val_mse:.4f}  R2 {1 - val_mse / ss_tot:.3f}")
