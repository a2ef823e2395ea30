"""External corrosion growth rate (mm/yr) at buried-pipeline dig sites, from 160 days of
cathodic-protection telemetry at the nearest test post: pipe-to-soil potential (mV CSE),
soil moisture, soil temperature and induced AC current density from a parallel power line.
Integrity engineers use the prediction to rank digs between in-line inspections.

A GRU reads the whole (long) sequence; AdamW with linear warm-up then cosine decay, stepped
per batch as the schedule is defined in optimizer steps; gradient-norm clipping at 1.0 as
routine insurance for a recurrent net.
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)
rng = np.random.default_rng(8)
N, T = 1200, 160
days = np.arange(T)


def site():
    base_pot = rng.uniform(-1050, -780)                            # mV vs Cu/CuSO4
    season = np.sin(2 * np.pi * (days + rng.uniform(0, 365)) / 365)
    moisture = np.clip(0.25 + 0.12 * season + np.cumsum(rng.normal(0, 0.01, T)) + rng.normal(0, 0.02, T), 0.02, 0.6)
    pot = base_pot + 60 * moisture + rng.normal(0, 15, T)
    outage = rng.random() < 0.3                                     # rectifier outage window
    if outage:
        s = rng.integers(0, T - 30)
        pot[s:s + rng.integers(10, 30)] += rng.uniform(150, 300)
    temp = 10 + 8 * season + rng.normal(0, 1.0, T)
    ac = np.abs(rng.normal(rng.uniform(2, 40), 5, T))               # A/m^2
    under = np.clip(pot + 850, 0, None)                             # mV short of the -850 criterion
    rate = (0.0009 * np.mean(under * moisture * 10) + 0.004 * np.mean(np.clip(ac - 30, 0, None))
            + 0.002 * np.mean(np.clip(temp, 0, None)) + rng.gamma(2, 0.005))
    return np.stack([pot, moisture, temp, ac], 1), rate


seqs, rates = zip(*[site() for _ in range(N)])
X = np.stack(seqs).astype(np.float32)
y = np.array(rates, dtype=np.float32)
perm = rng.permutation(N)
tr, va = perm[:960], perm[960:]
mu, sd = X[tr].mean((0, 1)), X[tr].std((0, 1))
X = (X - mu) / sd
y_mu, y_sd = y[tr].mean(), y[tr].std()
ys = (y - y_mu) / y_sd

train_dl = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(ys[tr])), batch_size=32, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(ys[va])), batch_size=240)


class CorrosionGRU(nn.Module):
    def __init__(self, d_in=4, hidden=40):
        super().__init__()
        self.inp = nn.Linear(d_in, hidden)
        self.gru = nn.GRU(hidden, hidden, batch_first=True)
        self.out = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x):
        h, last = self.gru(torch.relu(self.inp(x)))
        return self.out(torch.cat([last[-1], h.mean(1)], 1)).squeeze(1)


model = CorrosionGRU()
EPOCHS = 8
total = EPOCHS * len(train_dl)
warmup = int(0.1 * total)
opt = torch.optim.AdamW(model.parameters(), lr=4e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))))
loss_fn = nn.MSELoss()

for epoch in range(EPOCHS):
    model.train()
    tl = 0.0
    for xb, yb in train_dl:
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        tl += loss.item() * len(yb)
    model.eval()
    with torch.no_grad():
        pv = torch.cat([model(xb) for xb, _ in val_dl]).numpy()
    vmse = np.mean((pv - ys[va]) ** 2)
    print(f"epoch {epoch + 1} lr {sched.get_last_lr()[0]:.5f} train_mse {tl / len(tr):.4f} val_mse {vmse:.4f}")

pred = pv * y_sd + y_mu
r2 = 1 - np.sum((pred - y[va]) ** 2) / np.sum((y[va] - y[va].mean()) ** 2)
print(f"final val MAE {np.abs(pred - y[va]).mean():.4f} mm/yr  R2 {r2:.3f}")
