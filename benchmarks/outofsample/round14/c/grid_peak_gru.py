"""Next-day peak electricity demand from the previous week of hourly load and temperature (GRU).

A GRU reads 168 hourly steps; linear warm-up then cosine decay (LambdaLR), and the gradient
norm is clipped at 1.0 as routine insurance for recurrent training. Windows are split in
time (train on the first 70% of the series, validate on the last 30%, with a gap).
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(4)
rng = np.random.default_rng(4)

hours = 24 * 900
h = np.arange(hours)
temp = 12 + 9 * np.sin(2 * np.pi * (h / 24 - 200) / 365.25) + 4 * np.sin(2 * np.pi * (h % 24 - 9) / 24)
temp = temp + np.cumsum(rng.normal(0, 0.3, hours)) * 0.05 + rng.normal(0, 1.0, hours)
weekday = ((h // 24) % 7) < 5
daily = 0.25 * np.sin(2 * np.pi * (h % 24 - 7) / 24) + 0.15 * np.sin(4 * np.pi * (h % 24 - 5) / 24)
load = (3.0 + daily + 0.35 * weekday + 0.04 * np.abs(temp - 16) + rng.normal(0, 0.05, hours))

T = 168
starts = np.arange(0, hours - T - 24, 10)
X = np.stack([np.stack([load[s:s + T], temp[s:s + T], np.sin(2 * np.pi * (h[s:s + T] % 24) / 24),
                        np.cos(2 * np.pi * (h[s:s + T] % 24) / 24), weekday[s:s + T]], -1) for s in starts])
y = np.array([load[s + T:s + T + 24].max() for s in starts])

cut = int(0.7 * len(starts))
gap = 20  # windows overlapping the cut are dropped
tr, va = np.arange(cut), np.arange(cut + gap, len(starts))
mu, sd = X[tr].reshape(-1, 5).mean(0), X[tr].reshape(-1, 5).std(0)
mu[2:], sd[2:] = 0.0, 1.0
X = ((X - mu) / sd).astype(np.float32)
y_mu, y_sd = y[tr].mean(), y[tr].std()
yz = ((y - y_mu) / y_sd).astype(np.float32)
X_t, y_t = torch.from_numpy(X), torch.from_numpy(yz)
print(f"{len(tr)} train windows, {len(va)} validation windows, T={T}")


class PeakGRU(nn.Module):
    def __init__(self, n_in=5, hidden=32):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden + n_in, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        _, hn = self.gru(x)
        return self.head(torch.cat([hn[-1], x[:, -1]], 1)).squeeze(1)


model = PeakGRU()
epochs = 12
loader = DataLoader(TensorDataset(X_t[tr], y_t[tr]), batch_size=64, shuffle=True)
total_steps, warmup = epochs * len(loader), 60
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)


def lr_lambda(step):
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total_steps - warmup)
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress))


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
loss_fn = nn.MSELoss()

for epoch in range(epochs):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
    model.eval()
    with torch.no_grad():
        pred = model(X_t[va])
        val = loss_fn(pred, y_t[va]).item()
    if epoch % 3 == 2:
        print(f"epoch {epoch + 1:2d} lr {scheduler.get_last_lr()[0]:.2e} val mse (z) {val:.4f}")

with torch.no_grad():
    pred = model(X_t[va]).numpy() * y_sd + y_mu
truth = y[va]
mape = np.mean(np.abs(pred - truth) / truth) * 100
naive = np.array([load[s + T - 24:s + T].max() for s in starts[va]])
naive_mape = np.mean(np.abs(naive - truth) / truth) * 100
r2 = 1 - np.sum((pred - truth) ** 2) / np.sum((truth - truth.mean()) ** 2)
print(f"final val MAPE {mape:.2f}% (same-as-yesterday baseline {naive_mape:.2f}%), R2 {r2:.3f}")
