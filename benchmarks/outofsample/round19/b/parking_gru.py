"""Parking occupancy forecast: next 6 hours for each car park from the last 4 days (GRU).

60 car parks of four kinds (office, retail, residential, stadium), eight weeks of hourly
occupancy. Weeks 1-6 train, weeks 7-8 validate (a time split). Compared against the
seasonal-naive forecast (same hour yesterday).
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(17)
rng = np.random.default_rng(17)

HOURS = 24 * 7 * 8
WINDOW, HORIZON, STRIDE = 96, 6, 12
N_LOTS = 60
SPLIT = 24 * 7 * 6


def lot_series(kind):
    h = np.arange(HOURS)
    hod, dow = h % 24, (h // 24) % 7
    weekday = dow < 5
    if kind == "office":
        base = 0.1 + 0.8 * np.exp(-((hod - 12.5) / 3.5) ** 4) * weekday
    elif kind == "retail":
        base = 0.15 + 0.6 * np.exp(-((hod - 15) / 4) ** 2) * np.where(dow >= 5, 1.3, 0.9)
    elif kind == "residential":
        base = 0.85 - 0.45 * np.exp(-((hod - 13) / 4.5) ** 2) * weekday
    else:
        base = 0.05 + np.zeros(HOURS)
        for day in rng.choice(HOURS // 24, size=6, replace=False):
            start = day * 24 + 17
            base[start:start + 5] += rng.uniform(0.6, 0.9)
    cap = rng.uniform(0.8, 1.05)
    ar = np.zeros(HOURS)
    for t in range(1, HOURS):
        ar[t] = 0.85 * ar[t - 1] + rng.normal(0, 0.03)
    occ = np.clip(base * cap + ar, 0, 1)
    cal = np.stack([occ, np.sin(2 * np.pi * hod / 24), np.cos(2 * np.pi * hod / 24),
                    np.sin(2 * np.pi * dow / 7), np.cos(2 * np.pi * dow / 7)], axis=1)
    return cal.astype(np.float32)


def windows(series, lo, hi):
    xs, ys, naive = [], [], []
    for s in range(lo, hi - WINDOW - HORIZON + 1, STRIDE):
        xs.append(series[s:s + WINDOW])
        ys.append(series[s + WINDOW:s + WINDOW + HORIZON, 0])
        naive.append(series[s + WINDOW - 24:s + WINDOW - 24 + HORIZON, 0])
    return xs, ys, naive


kinds = rng.choice(["office", "retail", "residential", "stadium"], size=N_LOTS, p=[0.3, 0.3, 0.3, 0.1])
tr, va = ([], [], []), ([], [], [])
for k in kinds:
    s = lot_series(k)
    for acc, part in ((tr, windows(s, 0, SPLIT)), (va, windows(s, SPLIT - WINDOW, HOURS))):
        for a, b in zip(acc, part):
            a.extend(b)
X_tr, y_tr = torch.tensor(np.array(tr[0])), torch.tensor(np.array(tr[1]))
X_va, y_va, naive_va = torch.tensor(np.array(va[0])), torch.tensor(np.array(va[1])), torch.tensor(np.array(va[2]))


class Forecaster(nn.Module):
    def __init__(self, n_feat, hidden=48, horizon=HORIZON):
        super().__init__()
        self.gru = nn.GRU(n_feat, hidden, batch_first=True)
        self.head = nn.Linear(hidden + 1, horizon)

    def forward(self, x):
        _, h = self.gru(x)
        last = x[:, -1, :1]
        return last + self.head(torch.cat([h[-1], last], dim=1))


model = Forecaster(X_tr.shape[2])
train_dl = DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(X_va, y_va), batch_size=256)
epochs = 6
total_steps = epochs * len(train_dl)
warmup = 40
opt = torch.optim.AdamW(model.parameters(), lr=4e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: (s + 1) / warmup if s < warmup
    else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total_steps - warmup))) * 0.95 + 0.05)
loss_fn = nn.MSELoss()

for epoch in range(1, epochs + 1):
    model.train()
    tr_loss, gnorms = 0.0, []
    for xb, yb in train_dl:
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        gnorms.append(float(nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)))
        opt.step()
        sched.step()
        tr_loss += loss.item() * len(xb)
    model.eval()
    sae, sse, n = 0.0, 0.0, 0
    with torch.no_grad():
        for xb, yb in val_dl:
            pred = model(xb)
            sae += nn.functional.l1_loss(pred, yb, reduction="sum").item()
            sse += nn.functional.mse_loss(pred, yb, reduction="sum").item()
            n += yb.numel()
    print(f"epoch {epoch} train_mse {tr_loss / len(X_tr):.5f} val_mse {sse / n:.5f} val_mae {sae / n:.4f} "
          f"lr {sched.get_last_lr()[0]:.2e} grad_norm {np.median(gnorms):.3f}")

naive_mae = (naive_va - y_va).abs().mean().item()
print(f"final val_mae {sae / n:.4f} seasonal_naive_mae {naive_mae:.4f}")
