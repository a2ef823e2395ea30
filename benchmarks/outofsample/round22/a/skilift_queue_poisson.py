"""Ski-lift queue forecast: number of skiers waiting at the base station 15 minutes ahead,
from the last 8 hours of 5-minute gate counts and conditions. The target is a raw count, so
the model predicts a log-rate under a Poisson likelihood (no target scaling needed), with the
output bias started at the log of the mean count. Warm-up then cosine decay, stepped per batch."""
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)
rng = np.random.default_rng(8)
SEQ, AHEAD = 96, 3


def season(days):
    steps = days * 144                                   # 5-min steps, 12 open hours
    t = np.arange(steps)
    hour = 8.5 + (t % 144) / 12.0
    day = t // 144
    weekend = np.isin(day % 7, [5, 6]).astype(float)
    snow = np.repeat(rng.gamma(0.6, 8.0, days), 144)     # cm overnight
    temp = np.repeat(rng.normal(-4, 5, days), 144) + 3 * np.sin((hour - 9) / 12 * np.pi)
    speed = np.where(rng.random(steps) < 0.03, 0.5, 1.0)  # wind holds slow the lift
    arrivals = (4 + 10 * weekend + 0.4 * snow) * np.exp(-((hour - 10.5) ** 2) / 2.5) \
        + (2 + 4 * weekend) * np.exp(-((hour - 13.5) ** 2) / 1.5)
    arrivals *= np.exp(-np.clip(-temp - 12, 0, None) / 6)
    q = np.zeros(steps)
    for i in range(1, steps):
        served = 14 * speed[i]
        q[i] = max(0.0, q[i - 1] + rng.poisson(arrivals[i] * 3.5 * math.exp(-q[i - 1] / 120)) - rng.poisson(served))
    feats = np.stack([np.log1p(q), speed, snow / 10, temp / 10, np.sin(hour / 24 * 2 * np.pi),
                      np.cos(hour / 24 * 2 * np.pi), weekend], axis=1).astype(np.float32)
    return feats, q.astype(np.float32)


feats, q = season(70)
idx = np.arange(SEQ, len(q) - AHEAD, 4)
X = np.stack([feats[i - SEQ:i] for i in idx])
y = q[idx + AHEAD - 1]
persist = q[idx - 1]
cut = int(0.8 * len(idx))                                # last two weeks held out
tr, va = slice(0, cut), slice(cut, None)
train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])), batch_size=256)


class QueueGRU(nn.Module):
    def __init__(self, n_in=7, hidden=48):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        h, _ = self.gru(x)
        return self.out(h[:, -1]).squeeze(-1)              # log-rate


model = QueueGRU()
with torch.no_grad():
    model.out.bias.fill_(math.log(float(y[tr].mean())))
epochs = 14
total = epochs * len(train_loader)
warmup = int(0.06 * total)
opt = torch.optim.AdamW(model.parameters(), lr=4e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))))
crit = nn.PoissonNLLLoss(log_input=True, full=False)

for epoch in range(epochs):
    model.train()
    run = 0.0
    for xb, yb in train_loader:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        run += loss.item() * len(yb)
    model.eval()
    abs_err, nll = 0.0, 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            lr_ = model(xb)
            abs_err += (lr_.exp() - yb).abs().sum().item()
            nll += crit(lr_, yb).item() * len(yb)
    n_val = len(val_loader.dataset)
    print(f"epoch {epoch + 1:2d} lr {sched.get_last_lr()[0]:.2e} train nll {run / len(train_loader.dataset):.3f} "
          f"val nll {nll / n_val:.3f} val MAE {abs_err / n_val:.2f} skiers")

print(f"final val_mae={abs_err / n_val:.2f} skiers (persistence {np.abs(persist[va] - y[va]).mean():.2f}, "
      f"mean-count {np.abs(y[tr].mean() - y[va]).mean():.2f})")
