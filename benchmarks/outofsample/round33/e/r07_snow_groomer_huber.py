"""Snow-groomer fleet: diesel burned per night shift.

Telematics give, per shift: hours, km groomed, mean slope, new snow (cm),
air temperature, winch-assisted minutes, machine age and the piste sector.
Fuel use is heavy-tailed: storm nights and winch work on steep faces burn
several times the usual amount, and a few shifts include recovery of a stuck
machine. We fit with a Huber loss on robust-scaled targets (median / IQR) so
that those shifts do not dominate the gradient, and report the median and
mean absolute error in litres. One-cycle LR schedule, stepped per batch.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(29)
rng = np.random.default_rng(29)

N = 3000
hours = rng.uniform(4, 10, N)
km = hours * rng.uniform(2.5, 5.0, N)
slope = rng.gamma(4.0, 4.0, N)                        # degrees
new_snow = rng.exponential(8.0, N)                     # cm
temp = rng.normal(-7, 5, N)
winch_min = np.where(slope > 22, rng.gamma(2.0, 40.0, N), 0.0)
age = rng.integers(0, 15, N)
sector = rng.integers(0, 6, N)
sector_factor = np.array([1.0, 1.1, 0.9, 1.25, 1.05, 0.95])[sector]

litres = (hours * 14 * sector_factor * (1 + 0.015 * slope) * (1 + 0.02 * new_snow)
          * (1 + 0.01 * np.maximum(-temp - 10, 0)) * (1 + 0.012 * age)
          + 0.35 * winch_min)
litres *= np.exp(rng.normal(0, 0.08, N))
stuck = rng.random(N) < 0.03
litres[stuck] += rng.gamma(2.0, 60.0, stuck.sum())   # recovering a stuck machine: not predictable

X = np.column_stack([hours, km, slope, new_snow, temp, winch_min, age, np.eye(6)[sector]]).astype(np.float32)
y = litres.astype(np.float32)

idx = rng.permutation(N)
tr, va = idx[:2400], idx[2400:]
mu, sd = X[tr, :7].mean(0), X[tr, :7].std(0)
X[:, :7] = (X[:, :7] - mu) / sd
med = np.median(y[tr])
iqr = np.subtract(*np.percentile(y[tr], [75, 25]))
ys = ((y - med) / iqr).astype(np.float32)
print(f"train litres: median {med:.0f}, mean {y[tr].mean():.0f}, max {y[tr].max():.0f}, skew "
      f"{((y[tr] - y[tr].mean()) ** 3).mean() / y[tr].std() ** 3:.2f}")

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(ys[tr])[:, None]),
                          batch_size=64, shuffle=True)
Xv, yv = torch.from_numpy(X[va]), torch.from_numpy(y[va])

model = nn.Sequential(nn.Linear(X.shape[1], 96), nn.SiLU(), nn.Linear(96, 96), nn.SiLU(), nn.Linear(96, 1))
criterion = nn.HuberLoss(delta=1.0)
EPOCHS = 30
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=5e-3, epochs=EPOCHS,
                                                steps_per_epoch=len(train_loader))


def evaluate():
    model.eval()
    with torch.no_grad():
        pred = model(Xv).squeeze(1) * iqr + med
        err = (pred - yv).abs()
    model.train()
    return err.median().item(), err.mean().item()


for epoch in range(1, EPOCHS + 1):
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
    if epoch % 5 == 0:
        medae, mae = evaluate()
        print(f"epoch {epoch:2d} huber {loss.item():.4f} val median AE {medae:.1f} L  MAE {mae:.1f} L")

base = np.abs(y[va] - med)
print(f"constant-median baseline: median AE {np.median(base):.1f} L  MAE {base.mean():.1f} L")
medae, mae = evaluate()
print(f"final val median AE {medae:.1f} L  MAE {mae:.1f} L")
