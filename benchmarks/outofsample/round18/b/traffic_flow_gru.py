"""Next-hour vehicle flow at a motorway loop detector from the previous four days (96 h).

GRU over the 96 hourly counts plus hour-of-week encodings. Counts have heavy
negative excursions (incidents, closures), so the loss is Huber on standardised flow;
gradients are clipped as routine insurance for the long recurrence, and the LR drops
on a validation plateau. The later months are held out.
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(13)
rng = np.random.default_rng(13)
WIN = 96

hours = np.arange(24 * 7 * 80)                               # 80 weeks of hourly counts
hod, dow = hours % 24, (hours // 24) % 7
weekday = dow < 5
profile = np.where(weekday,
                   600 + 2600 * np.exp(-((hod - 8) ** 2) / 3) + 2200 * np.exp(-((hod - 17.5) ** 2) / 4) + 900 * ((hod > 6) & (hod < 21)),
                   500 + 1400 * np.exp(-((hod - 14) ** 2) / 18))
ar = np.zeros(len(hours))
for t in range(1, len(hours)):
    ar[t] = 0.85 * ar[t - 1] + rng.normal(0, 90)
flow = profile + ar
incident = np.zeros(len(hours))
for start in rng.choice(len(hours), 140, replace=False):
    dur = rng.integers(1, 6)
    incident[start:start + dur] = rng.uniform(0.3, 0.9)
flow = np.clip(flow * (1 - incident), 0, None).astype(np.float32)

split = int(len(flow) * 0.8)
mu, sd = flow[:split].mean(), flow[:split].std()
z = (flow - mu) / sd
how = 2 * np.pi * (hours % 168) / 168
cal = np.stack([np.sin(how), np.cos(how), np.sin(2 * np.pi * hod / 24), np.cos(2 * np.pi * hod / 24)], 1).astype(np.float32)


def windows(lo, hi, n):
    starts = rng.integers(lo, hi - WIN - 1, n)
    X = np.stack([np.concatenate([z[s:s + WIN, None], cal[s + 1:s + WIN + 1]], 1) for s in starts])
    y = z[starts + WIN]
    return torch.from_numpy(X.astype(np.float32)), torch.from_numpy(y.astype(np.float32))


X_tr, y_tr = windows(0, split, 2000)
X_va, y_va = windows(split, len(z), 600)
train_dl = DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(X_va, y_va), batch_size=300)


class FlowGRU(nn.Module):
    def __init__(self, n_in=5, hidden=32):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden + n_in, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(torch.cat([out[:, -1], x[:, -1]], 1)).squeeze(-1)


model = FlowGRU()
criterion = nn.HuberLoss(delta=1.0)
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=1)

for epoch in range(1, 13):
    model.train()
    for xb, yb in train_dl:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val_loss = sum(criterion(model(xb), yb).item() * len(xb) for xb, yb in val_dl) / len(y_va)
    scheduler.step(val_loss)
    print(f"epoch {epoch}  val huber {val_loss:.4f}  lr {optimizer.param_groups[0]['lr']:.1e}")

with torch.no_grad():
    pred = model(X_va).numpy() * sd + mu
truth = y_va.numpy() * sd + mu
mae = float(np.abs(pred - truth).mean())
naive = float(np.abs(X_va[:, WIN - 24, 0].numpy() * sd + mu - truth).mean())
r2 = 1 - float(((pred - truth) ** 2).sum() / ((truth - truth.mean()) ** 2).sum())
print(f"val MAE {mae:.0f} veh/h (same-hour-yesterday {naive:.0f})  R2 {r2:.3f}")
