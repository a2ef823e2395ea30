"""Hop kiln drying: predict the final cone moisture (%) of a drying batch.

Inputs are the kiln's air-on temperature, airflow, bed depth, green-hop moisture, variety
oil content and ambient humidity. Moisture probes occasionally misread badly (a wet cone
stuck to the probe), so the target noise is heavy-tailed: the model is fitted with a
Huber loss and a plain hand-written momentum SGD update, no optimizer object.
"""
import math
import numpy as np
import torch
from torch import nn

torch.manual_seed(3)
rng = np.random.default_rng(3)

N = 3000
air_temp = rng.uniform(55, 70, N)          # degC
airflow = rng.uniform(0.2, 0.6, N)         # m/s
bed_depth = rng.uniform(40, 90, N)         # cm
green_moist = rng.uniform(75, 82, N)       # %
oil = rng.uniform(0.8, 3.2, N)             # ml/100g
humidity = rng.uniform(30, 90, N)          # %RH
hours = rng.uniform(7, 11, N)

drive = (air_temp - 55) * 0.09 + airflow * 3.5 - (bed_depth - 40) * 0.025 - (humidity - 30) * 0.012
final = 9.5 + (green_moist - 78) * 0.35 - 2.2 * np.tanh(drive * hours / 8) + 0.4 * oil * (humidity > 70)
noise = rng.standard_t(df=2, size=N) * 0.35           # heavy-tailed probe error
y = (final + noise).astype(np.float32)

X = np.stack([air_temp, airflow, bed_depth, green_moist, oil, humidity, hours], 1).astype(np.float32)
idx = rng.permutation(N)
tr, te = idx[:2400], idx[2400:]
x_mu, x_sd = X[tr].mean(0), X[tr].std(0)
y_med = np.median(y[tr])
y_iqr = np.subtract(*np.percentile(y[tr], [75, 25]))
Xs = torch.from_numpy((X - x_mu) / x_sd)
ys = torch.from_numpy(((y - y_med) / y_iqr).astype(np.float32))

model = nn.Sequential(nn.Linear(7, 48), nn.SiLU(), nn.Linear(48, 48), nn.SiLU(), nn.Linear(48, 1))
loss_fn = nn.HuberLoss(delta=1.0)

lr0, momentum, wd, epochs, bs = 0.05, 0.9, 1e-4, 60, 32
velocity = [torch.zeros_like(p) for p in model.parameters()]
steps_per_epoch = math.ceil(len(tr) / bs)
total = epochs * steps_per_epoch
step = 0
for epoch in range(epochs):
    model.train()
    order = torch.from_numpy(rng.permutation(tr))
    running = 0.0
    for i in range(0, len(order), bs):
        b = order[i:i + bs]
        pred = model(Xs[b]).squeeze(1)
        loss = loss_fn(pred, ys[b])
        model.zero_grad()
        loss.backward()
        lr = lr0 * 0.5 * (1 + math.cos(math.pi * step / total))
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                g = p.grad + wd * p if p.dim() > 1 else p.grad
                v.mul_(momentum).add_(g)
                p -= lr * v
        step += 1
        running += loss.item() * len(b)
    if epoch % 10 == 9 or epoch == 0:
        model.eval()
        with torch.no_grad():
            pte = model(Xs[te]).squeeze(1) * y_iqr + y_med
        mae = (pte - torch.from_numpy(y[te])).abs().mean().item()
        print(f"epoch {epoch + 1:3d} train_huber={running / len(tr):.4f} test_mae={mae:.4f}")

model.eval()
with torch.no_grad():
    pte = (model(Xs[te]).squeeze(1) * y_iqr + y_med).numpy()
mae = np.abs(pte - y[te]).mean()
mae_clean = np.abs(pte - final[te]).mean()
base = np.abs(y_med - y[te]).mean()
print(f"final test_mae={mae:.4f} (median baseline {base:.4f}; vs noise-free moisture {mae_clean:.4f})")
