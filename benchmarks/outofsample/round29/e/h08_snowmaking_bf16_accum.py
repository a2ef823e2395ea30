"""Snowmaking: predict a fan gun's snow output (m3/h) from the conditions at the hydrant.

Output depends above all on the wet-bulb temperature (no snow above about -1.5 C wet-bulb,
rising steeply as it gets colder), then on water flow, water temperature, wind and the nozzle
setting the operator picked (one of three). A residual MLP with LayerNorm runs its forward
pass under bfloat16 autocast on the CPU; micro-batches of 32 are accumulated four at a time,
the loss divided by the accumulation count, with a one-cycle LR per optimizer step.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(31)
rng = np.random.default_rng(31)

n = 5000
air = rng.uniform(-16, 3, n)
rh = rng.uniform(35, 100, n)
# Stull's wet-bulb approximation
wet = (air * np.arctan(0.151977 * np.sqrt(rh + 8.313659)) + np.arctan(air + rh) - np.arctan(rh - 1.676331)
       + 0.00391838 * rh ** 1.5 * np.arctan(0.023101 * rh) - 4.686035)
water_flow = rng.uniform(1.0, 8.0, n)                    # l/s
water_temp = rng.uniform(0.5, 6.0, n)
wind = rng.gamma(2.0, 1.5, n)
nozzle = rng.integers(0, 3, n)                           # operator's nozzle ring 1..3
eff = 1 / (1 + np.exp(1.6 * (wet + 4.0 + 0.5 * nozzle - 0.25 * water_temp)))
output = 3.6 * water_flow * eff * (1.0 + 0.12 * nozzle) * (1 - 0.04 * np.clip(wind - 4, 0, None)) * 2.2
output = np.clip(output * rng.normal(1.0, 0.08, n) + rng.normal(0, 2.5, n), 0, None)

cont = np.stack([air, rh, water_flow, water_temp, wind], 1)
X = np.concatenate([cont, np.eye(3)[nozzle]], 1).astype(np.float32)
perm = rng.permutation(n)
tr, va = perm[:4000], perm[4000:]
mu, sd = X[tr, :5].mean(0), X[tr, :5].std(0)
X[:, :5] = (X[:, :5] - mu) / sd
y_mu, y_sd = output[tr].mean(), output[tr].std()
Y = ((output - y_mu) / y_sd).astype(np.float32)[:, None]

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(Y[tr])), batch_size=32, shuffle=True,
                          drop_last=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(Y[va])), batch_size=500)


class ResBlock(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))

    def forward(self, x):
        return x + self.ff(self.norm(x))


model = nn.Sequential(nn.Linear(X.shape[1], 64), ResBlock(64), ResBlock(64), nn.LayerNorm(64), nn.Linear(64, 1))

ACCUM, EPOCHS = 4, 12
steps = EPOCHS * (len(train_loader) // ACCUM)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=steps, pct_start=0.25)
criterion = nn.MSELoss()

for epoch in range(EPOCHS):
    model.train()
    optimizer.zero_grad()
    running = 0.0
    for i, (xb, yb) in enumerate(train_loader):
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
            pred = model(xb)
        loss = criterion(pred.float(), yb)
        (loss / ACCUM).backward()
        running += loss.item()
        if (i + 1) % ACCUM == 0:
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
    model.eval()
    se, count = 0.0, 0
    with torch.no_grad(), torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        for xb, yb in val_loader:
            se += ((model(xb).float() - yb) ** 2).sum().item()
            count += len(yb)
    print(f"epoch {epoch:2d} train_mse {running / len(train_loader):.4f} val_mse {se / count:.4f}")

model.eval()
with torch.no_grad():
    pred = model(torch.from_numpy(X[va])).squeeze(1).numpy() * y_sd + y_mu
true = output[va]
print(f"final val RMSE {np.sqrt(((pred - true) ** 2).mean()):.3f} m3/h  R2 {1 - ((pred - true) ** 2).sum() / ((true - true.mean()) ** 2).sum():.4f}")
