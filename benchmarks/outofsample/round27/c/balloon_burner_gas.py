"""Hot-air balloon operator: propane burned per passenger flight.

Predict the kilograms of propane used on a flight from the pre-flight sheet:
envelope volume, total lift-off mass, ambient temperature at launch, planned
duration, mean wind at 300 m, thermal index, number of cylinders loaded, pilot
experience (years) and whether the flight was a competition task.  Some flights
go badly (long retrieves, landing aborted, contour flying), so the target has a
long right tail; we fit with a Huber loss and report the median absolute error.
"""
import copy
import io

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SEED = 2024
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)


def preflight_sheets(n):
    volume = rng.choice([2200, 3000, 4000, 6000, 9000], n, p=[.15, .3, .3, .15, .1])   # m3
    mass = volume * rng.normal(0.23, 0.02, n) + rng.integers(1, 16, n) * 80.0          # kg
    temp = rng.normal(14, 7, n)
    duration = rng.normal(70, 15, n).clip(30, 120)                                     # min
    wind = rng.gamma(2.5, 1.6, n)
    thermal = rng.beta(2, 5, n)
    cylinders = np.ceil(volume / 1600 + rng.integers(0, 2, n))
    exp_years = rng.gamma(2, 5, n)
    competition = (rng.random(n) < 0.12).astype(float)
    base = 0.011 * mass * (1 + 0.012 * (temp - 14)) * duration / 60 * (1 + 0.05 * wind) * (1 - 0.25 * thermal)
    base *= 1 - 0.01 * np.minimum(exp_years, 20)
    bad = rng.random(n) < 0.07 + 0.05 * competition
    gas = base * np.exp(rng.normal(0, 0.08, n)) + bad * rng.pareto(2.2, n) * 12
    X = np.column_stack([np.log(volume), mass, temp, duration, wind, thermal, cylinders, exp_years, competition])
    return X.astype(np.float32), gas.astype(np.float32)


X, y = preflight_sheets(2500)
Xtr, ytr, Xte, yte = X[:2000], y[:2000], X[2000:], y[2000:]
mu, sd = Xtr.mean(0), Xtr.std(0)
y_med, y_iqr = float(np.median(ytr)), float(np.subtract(*np.percentile(ytr, [75, 25])))
Xtr_t, Xte_t = torch.from_numpy((Xtr - mu) / sd), torch.from_numpy((Xte - mu) / sd)
ytr_t = torch.from_numpy(((ytr - y_med) / y_iqr).astype(np.float32))


class GasModel(nn.Module):
    def __init__(self, d_in):
        super().__init__()
        self.fc1 = nn.Linear(d_in, 48)
        self.fc2 = nn.Linear(48, 48)
        self.out = nn.Linear(48, 1)

    def forward(self, x):
        h = F.elu(self.fc1(x))
        h = F.elu(self.fc2(h))
        return self.out(h).squeeze(-1)


model = GasModel(X.shape[1])
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)

lr, beta, decay, batch = 0.03, 0.9, 0.995, 50
velocity = [torch.zeros_like(p) for p in model.parameters()]
steps_per_epoch = len(Xtr) // batch
for epoch in range(30):
    perm = torch.randperm(len(Xtr))
    for i in range(steps_per_epoch):
        idx = perm[i * batch:(i + 1) * batch]
        loss = F.huber_loss(model(Xtr_t[idx]), ytr_t[idx], delta=1.0)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(beta).add_(p.grad)
                p -= lr * v
            for pe, p in zip(ema.parameters(), model.parameters()):
                pe.mul_(decay).add_(p, alpha=1 - decay)
    if (epoch + 1) % 10 == 0:
        print(f"epoch {epoch + 1}: last batch huber {loss.item():.4f}")

buffer = io.BytesIO()
torch.save(ema, buffer)
buffer.seek(0)
scorer = torch.load(buffer, weights_only=False)
scorer.eval()

abs_err_sum, n = 0.0, 0
errors = []
with torch.no_grad():
    for i in range(0, len(Xte_t), 100):
        pred = scorer(Xte_t[i:i + 100]) * y_iqr + y_med
        err = (pred - torch.from_numpy(yte[i:i + 100])).abs()
        abs_err_sum += err.sum().item()
        n += len(err)
        errors.append(err)
errors = torch.cat(errors)
baseline = np.median(np.abs(yte - y_med))
print(f"test MAE {abs_err_sum / n:.3f} kg  median AE {errors.median().item():.3f} kg  "
      f"(median-predictor median AE {baseline:.3f} kg)")
